/**
 * The shape of taint models: sources, sinks, sanitizers, validators (guards) and views, declared as
 * data per vulnerability class in the spirit of Pysa's model files and CodeQL's models-as-data.
 * Every entry carries a short rationale. `loadModels()` validates the tables with zod at start-up
 * so a malformed entry fails loudly instead of silently matching nothing.
 */
import { z } from "zod";

/** Vulnerability classes the taint engine tracks; each maps to one or more CWE ids. */
export const VULN_CLASSES = [
  "path-traversal",
  "injection",
  "command-injection",
  "xss",
  "sql-injection",
  "ldap-injection",
  "code-injection",
  "deserialization",
  "open-redirect",
  "xxe",
  "xpath-injection",
  "ssrf",
  "regex-injection",
  "trust-boundary",
] as const;
export type VulnClass = (typeof VULN_CLASSES)[number];
const vulnClass = z.enum(VULN_CLASSES);

/** Which call a model entry matches: resolved qualified names and/or method names on any receiver. */
const callMatch = {
  /** Fully qualified callee names after import-alias resolution (`os.system`, `flask.redirect`). */
  callees: z.array(z.string().min(1)).optional(),
  /** Method names matched on any receiver (`execute` matches `cursor.execute`, `db.cur.execute`). */
  methods: z.array(z.string().min(1)).optional(),
  rationale: z.string().min(1),
};

const argRef = z.object({ pos: z.number().int().nonnegative().optional(), kw: z.string().optional() });

export const sourceModel = z.object({
  /** What the finding's first step says ("flask request data"). */
  label: z.string().min(1),
  /** Qualified names of attributes/objects whose value (and anything read from it) is untrusted. */
  objects: z.array(z.string().min(1)).optional(),
  /**
   * Attribute chains ending in these, read through a framework attribute (`self.request.GET` in
   * class-based views): matched as a suffix after a dot, never from a bare local name.
   */
  dotted: z.array(z.string().min(1)).optional(),
  /**
   * Also the client-controlled parts of a parameter recognised as a request object by behaviour
   * (`taint/request-params.ts`): `p.GET` where `p` is read as a request, whatever its name.
   */
  requestParts: z.boolean().optional(),
  /**
   * Who chooses the value. "remote": a client of a server (request data, network peers): reported
   * at every sink. "caller": whoever runs the program or calls the function (command line,
   * environment, standard input, files it reads): a whole value of this kind is the input the
   * program exists to use, reported only at sinks of the task's class; composed into trusted
   * structure (a base folder, a query, a fixed URL) it is reported at every sink.
   */
  trust: z.enum(["remote", "caller"]),
  /**
   * Classes for which a whole value of a "remote" source is still the program's own input: a path
   * read from standard input names the file the person driving the program wants (`xargs`-style
   * tools, compileall's file list); there is no folder it could climb out of. Composed under a
   * base folder it is reported as usual.
   */
  callerFor: z.array(vulnClass).optional(),
  /**
   * Classes for which even a composed value of this source is the operator's own choice: a folder
   * or name from the environment or the command line, joined under another folder, is chosen by
   * whoever runs the program with their own rights, who could open that file directly. Reported
   * only in a task of the class (where the task says the value is hostile).
   */
  operatorFor: z.array(vulnClass).optional(),
  /** The call returns a file object: its attributes (`.name`, `.fileno()`) are not its contents. */
  handle: z.boolean().optional(),
  ...callMatch,
});
export type SourceModel = z.infer<typeof sourceModel>;

export const sinkModel = z.object({
  class: vulnClass,
  /** Which arguments reach the sink; "receiver" is the object a method is called on. */
  args: z.union([z.array(argRef).min(1), z.literal("all"), z.literal("receiver")]),
  /** Only a sink when this keyword argument is present and truthy (`shell=True`). */
  requiresTruthyKeyword: z.string().optional(),
  /**
   * The positional arguments are a program and its arguments one by one: every one of them is
   * also a sink when the first two name a shell and its command flag (`"sh", "-c", cmd`).
   */
  argvShell: z.boolean().optional(),
  /** Not a sink when this argument's text contains one of these words (`Loader=SafeLoader`). */
  safeWhenArg: z.object({ pos: z.number().int().optional(), kw: z.string(), contains: z.array(z.string()) }).optional(),
  /** Only a sink when the method's receiver text contains one of these (narrowing generic names). */
  receiverContains: z.array(z.string()).optional(),
  /** Only a sink when the task's CWE names this class (an existence check is a CWE-22 task's oracle). */
  taskOnly: z.boolean().optional(),
  ...callMatch,
});
export type SinkModel = z.infer<typeof sinkModel>;

/** Stores into a trusted container: `session[k] = v`, `response.headers[k] = v`. */
export const storeSinkModel = z.object({
  class: vulnClass,
  /** Qualified names of the container (`flask.session`). */
  objects: z.array(z.string()).optional(),
  /** Attribute names of the container on any object (`headers` in `resp.headers[k] = v`). */
  attributes: z.array(z.string()).optional(),
  rationale: z.string().min(1),
});
export type StoreSinkModel = z.infer<typeof storeSinkModel>;

export const sanitizerModel = z.object({
  /** Classes the call's result is safe for; "all" for calls whose result carries no taint. */
  clears: z.union([z.array(vulnClass).min(1), z.literal("all")]),
  /**
   * A reversible encoding: the encoded text is safe everywhere, but decoding it gives the input
   * back, so the facts are kept (cleared) for a decoder to restore rather than dropped.
   */
  reversible: z.boolean().optional(),
  ...callMatch,
});
export type SanitizerModel = z.infer<typeof sanitizerModel>;

/** Boolean checks: when the call is true, the checked argument is validated. */
export const validatorModel = z.object({
  clears: z.union([z.array(vulnClass).min(1), z.literal("all")]),
  /** The checked value: an argument, or the receiver of a method. */
  checked: z.union([argRef, z.literal("receiver")]),
  /** Regex matchers: only a check when the pattern argument is a literal anchored at both ends. */
  requiresAnchoredPattern: z.object({ pos: z.number().int(), kw: z.string() }).optional(),
  /** Only a check on a normalized path (lexical containment of `base/../x` proves nothing). */
  requiresNormalized: z.boolean().optional(),
  /**
   * The call raises unless the check holds (`p.resolve().relative_to(base)`): after it returns,
   * the value is validated, unless an enclosing `try` swallows the exception and goes on.
   */
  raises: z.boolean().optional(),
  ...callMatch,
});
export type ValidatorModel = z.infer<typeof validatorModel>;

/** Calls whose result is another view of the same value; a check on the view checks the value. */
export const viewModel = z.object({
  /** A view that normalizes a path (realpath/abspath/resolve): `startswith` on it is a containment check. */
  normalizesPath: z.boolean().optional(),
  ...callMatch,
});
export type ViewModel = z.infer<typeof viewModel>;

/**
 * Decoding and canonicalization (CWE-179/180): the result can hold characters the raw text did not
 * (`%2e%2e%2f` becomes `../`), so checks and escaping done before it no longer hold.
 */
export const decoderModel = z.object({ ...callMatch });
export type DecoderModel = z.infer<typeof decoderModel>;

export interface TaintModels {
  sources: SourceModel[];
  sinks: SinkModel[];
  storeSinks: StoreSinkModel[];
  sanitizers: SanitizerModel[];
  validators: ValidatorModel[];
  views: ViewModel[];
  decoders: DecoderModel[];
}

export const taintModels = z.object({
  sources: z.array(sourceModel),
  sinks: z.array(sinkModel),
  storeSinks: z.array(storeSinkModel),
  sanitizers: z.array(sanitizerModel),
  validators: z.array(validatorModel),
  views: z.array(viewModel),
  decoders: z.array(decoderModel),
});
