/**
 * Taint models as data: sources, sinks, sanitizers, validators and views per vulnerability class.
 * `models()` validates the tables once (zod) and indexes them for the engine's lookups.
 */
import { SOURCES } from "./sources.js";
import { SINKS, STORE_SINKS } from "./sinks.js";
import { DECODERS, SANITIZERS, VALIDATORS, VIEWS } from "./sanitizers.js";
import { taintModels, VULN_CLASSES, type DecoderModel, type SanitizerModel, type SinkModel, type SourceModel, type TaintModels, type ValidatorModel, type ViewModel, type VulnClass } from "./types.js";

export * from "./types.js";

/** CWE ids per class; the first is the one reported when the task names no CWE of the class. */
export const CLASS_CWES: Record<VulnClass, number[]> = {
  "path-traversal": [22, 23, 36, 73],
  injection: [74, 113, 116],
  "command-injection": [78, 77, 88],
  xss: [79, 80],
  "sql-injection": [89, 564],
  "ldap-injection": [90],
  "code-injection": [95, 94, 1336],
  deserialization: [502],
  "open-redirect": [601],
  xxe: [611, 776],
  "xpath-injection": [643],
  ssrf: [918],
  "regex-injection": [1333, 730, 625],
  "trust-boundary": [501],
};

export const CLASS_TITLES: Record<VulnClass, string> = {
  "path-traversal": "path traversal",
  injection: "injection into a downstream interpreter (template, header or markup)",
  "command-injection": "OS command injection",
  xss: "cross-site scripting",
  "sql-injection": "SQL injection",
  "ldap-injection": "LDAP injection",
  "code-injection": "code injection (eval/exec)",
  deserialization: "deserialization of untrusted data",
  "open-redirect": "open redirect",
  xxe: "XML external entity expansion",
  "xpath-injection": "XPath injection",
  ssrf: "server-side request forgery",
  "regex-injection": "regular expression injection (ReDoS)",
  "trust-boundary": "trust boundary violation",
};

export const CLASS_SEVERITY: Record<VulnClass, "HIGH" | "MEDIUM" | "LOW"> = {
  "path-traversal": "HIGH",
  injection: "MEDIUM",
  "command-injection": "HIGH",
  xss: "MEDIUM",
  "sql-injection": "HIGH",
  "ldap-injection": "HIGH",
  "code-injection": "HIGH",
  deserialization: "HIGH",
  "open-redirect": "MEDIUM",
  xxe: "HIGH",
  "xpath-injection": "MEDIUM",
  ssrf: "HIGH",
  "regex-injection": "MEDIUM",
  "trust-boundary": "LOW",
};

/** Class bit masks (facts record which classes they have been sanitized for). */
export const CLASS_BIT: Record<VulnClass, number> = Object.fromEntries(VULN_CLASSES.map((c, i) => [c, 1 << i])) as Record<VulnClass, number>;
export const ALL_CLASSES_MASK = (1 << VULN_CLASSES.length) - 1;
/**
 * Not a class: marks a value that has been composed into trusted structure: a path under a base
 * folder (os.path.join, `/`, a literal prefix), a value inside a query, command or URL built from a
 * template. A caller-chosen value without it is the whole input the function or program exists to
 * use (a path to open, a URL to fetch), reported only at sinks of the task's class. Set, like the
 * class bits, monotonically, so summaries carry it from a helper's parameter to its callers.
 */
export const EMBEDDED_BIT = 1 << VULN_CLASSES.length;
/**
 * Not a class: marks text spliced into a template as a fill value (`template.replace(ph, v)`,
 * `template.format(v)`, `string.Template(t).substitute(v)`). A task whose output is the filled
 * template (CWE-77 tasks that build a command or markup and return it) is injected through these
 * values, while the rest of what it returns (command output, parsed data) is not a command.
 */
export const SPLICED_BIT = 1 << (VULN_CLASSES.length + 1);

/**
 * Not a class: marks a file object rather than text read from it. Reading it (`read()`, iteration,
 * a library that takes the handle) gives its contents; its attributes (`.name`, `.fileno()`) are not
 * file contents, and a handle is not a path.
 */
export const HANDLE_BIT = 1 << (VULN_CLASSES.length + 2);
/**
 * Not a class: marks a value passed through a reversible encoding (base64, hex). It is cleared for
 * every class, yet the fact is kept (facts cleared for everything are otherwise dropped) so that a
 * decoder can give the value back its taint: `b64decode(b64encode(x))` is `x`.
 */
export const ENCODED_BIT = 1 << (VULN_CLASSES.length + 5);

/**
 * Not classes: the value holds no apostrophe (`'`) / no double quote (`"`), established by a check
 * (see quotes.ts). Unlike the class bits they say something about the exact text, so they survive
 * only while the value is passed on unchanged (see keepQuoteMarks).
 */
export const NO_APOSTROPHE_BIT = 1 << (VULN_CLASSES.length + 3);
export const NO_QUOTE_BIT = 1 << (VULN_CLASSES.length + 4);
// Every marker bit above must be distinct and below bit 31 (facts' `cleared` is a 32-bit int).
if (new Set([EMBEDDED_BIT, SPLICED_BIT, HANDLE_BIT, ENCODED_BIT, NO_APOSTROPHE_BIT, NO_QUOTE_BIT]).size !== 6 || ENCODED_BIT >= 2 ** 30) throw new Error("taint marker bits overlap");

export function classMask(clears: VulnClass[] | "all" | readonly VulnClass[]): number {
  if (clears === "all") return ALL_CLASSES_MASK;
  let m = 0;
  for (const c of clears) m |= CLASS_BIT[c];
  // Escaping for any concrete interpreter also neutralizes the generic "injection" class (CWE-74).
  if (m & (CLASS_BIT.xss | CLASS_BIT["command-injection"])) m |= CLASS_BIT.injection;
  return m;
}

/** The class a CWE id belongs to, if any. */
export function classOfCwe(cwe: number): VulnClass | undefined {
  for (const c of VULN_CLASSES) if (CLASS_CWES[c].includes(cwe)) return c;
  return undefined;
}

interface CallIndex<T> {
  byCallee: Map<string, T[]>;
  byMethod: Map<string, T[]>;
}

function indexCalls<T extends { callees?: string[]; methods?: string[] }>(entries: T[]): CallIndex<T> {
  const byCallee = new Map<string, T[]>();
  const byMethod = new Map<string, T[]>();
  for (const e of entries) {
    for (const c of e.callees ?? []) byCallee.set(c, [...(byCallee.get(c) ?? []), e]);
    for (const m of e.methods ?? []) byMethod.set(m, [...(byMethod.get(m) ?? []), e]);
  }
  return { byCallee, byMethod };
}

export interface IndexedModels extends TaintModels {
  sourceCalls: CallIndex<SourceModel>;
  sourceObjects: Map<string, SourceModel>;
  sinkCalls: CallIndex<SinkModel>;
  sanitizerCalls: CallIndex<SanitizerModel>;
  validatorCalls: CallIndex<ValidatorModel>;
  viewCalls: CallIndex<ViewModel>;
  decoderCalls: CallIndex<DecoderModel>;
}

let cached: IndexedModels | null = null;

/** The built-in models, validated and indexed (once per process). */
export function models(): IndexedModels {
  if (cached) return cached;
  const tables = taintModels.parse({ sources: SOURCES, sinks: SINKS, storeSinks: STORE_SINKS, sanitizers: SANITIZERS, validators: VALIDATORS, views: VIEWS, decoders: DECODERS });
  const sourceObjects = new Map<string, SourceModel>();
  for (const s of tables.sources) for (const o of s.objects ?? []) sourceObjects.set(o, s);
  cached = {
    ...tables,
    sourceCalls: indexCalls(tables.sources),
    sourceObjects,
    sinkCalls: indexCalls(tables.sinks),
    sanitizerCalls: indexCalls(tables.sanitizers),
    validatorCalls: indexCalls(tables.validators),
    viewCalls: indexCalls(tables.views),
    decoderCalls: indexCalls(tables.decoders),
  };
  return cached;
}
