/**
 * CWE-200: exposure of sensitive information.
 *
 * 1. Format-template object exposure: `template.format(obj=record)` / `format_map` where the
 *    template is not a constant (it comes from a parameter or other run-time data) and an argument is
 *    a whole object. A template such as "{obj.password}" or "{obj.__init__.__globals__[SECRET]}"
 *    then reads any attribute the object can reach. Arguments that are constants, conversions to
 *    text/numbers, parameters annotated as primitives, or instances of a proxy class that filters
 *    attribute access (defines `__getattr__`/`__getattribute__`) are fine.
 * 2. Secrets written to logs, stdout or exception messages: a credential interpolated into a
 *    logging call, print, or a raised exception, unless it passes through a masking/hashing call
 *    first. A local value is a credential by where it comes from or goes (credentials.ts: getpass,
 *    a credential key or field, a `password=` keyword, an hmac/jwt key, an Authorization header) or
 *    by what the message says it is (`f"bad password {x}"`), never by the local's own name; fields
 *    (`user.password`) and keys (`user["password"]`) name data and count as such.
 */
import type { Finding } from "../../finding.js";
import { guardsAt } from "./dominance.js";
import {
  calleeObject,
  calleeTail,
  DefUse,
  descendants,
  enclosingFunction,
  functionName,
  namesIn,
  parameters,
  rootName,
  unwrap,
  ofTypes,
  type Node,
} from "./ast.js";
import { importAliases, qualifiedCallee } from "./callees.js";
import { defUseOf, finding, paramsOf, liveNodesOfType, type CheckInput } from "./types.js";
import { readsRemoteSource } from "./remote-input.js";
import { constantString } from "./values.js";
import { holdsCredential, isSecretName, messageLabel } from "./credentials.js";

export { isSecretName } from "./credentials.js";

const NAME = "sensitive_information_exposure";
const PRIMITIVE_ANNOTATIONS = /^(str|int|float|bool|bytes|complex|Optional\[(str|int|float|bool)\])$/;
const TEXT_CALLS = new Set([
  "str", "int", "float", "bool", "repr", "len", "round", "format", "abs", "hex", "oct", "ord", "chr", "escape", "quote", "join", "upper", "lower", "strip", "title", "capitalize", "isoformat", "strftime", "hexdigest", "mask", "redact",
  "sub", "replace", "lstrip", "rstrip", "zfill", "ljust", "rjust", "center", "dedent", "indent", "translate", "casefold", "srepr", "dumps",
]);
// `type(pwd).__name__` and `isinstance(...)` reveal the value's type, not the value.
const MASKING = /(mask|redact|hash|obfuscat|censor|sanitiz|scrub|digest|len|^type$|^isinstance$)/i;
/** Calls that return a location on disk: a variable holding one names where something is, not a secret (`pwd = os.getcwd()`). */
const PATH_CALLS = /^(os\.getcwdb?|os\.path\.\w+|os\.fspath|pathlib\.\w+|tempfile\.\w+)$/;
/** Calls whose result is a piece of parsed text (a lexer's token), not a credential. */
const PARSING_CALLS = /(^next$|^pop|token|split|peek|lex|scan|parse|read|shlex|match|group)/i;
const LOG_METHODS = new Set(["debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"]);

export function checkSensitiveExposure(input: CheckInput): Finding[] {
  const out: Finding[] = [];
  const proxyClasses = attributeFilteringClasses(input.module.root);
  const duCache = new Map<number, DefUse>();
  for (const node of liveNodesOfType(input, ["call", "raise_statement"])) {
    if (node.type === "call") {
      const tail = calleeTail(node);
      if (tail === "format" || tail === "format_map") {
        const f = formatTemplateExposure(input, node, tail, proxyClasses, duCache);
        if (f) out.push(f);
        continue;
      }
      const sink = outputSink(node, input.aliases);
      if (sink) {
        const secret = secretInterpolated(input, node);
        if (secret) out.push(finding(input, node, { cwe: 532, name: NAME, severity: "MEDIUM", confidence: "MEDIUM", text: `Sensitive value '${secret}' written to ${sink}; log or print a masked form instead` }));
      }
    } else if (node.type === "raise_statement") {
      const secret = secretInterpolated(input, node);
      if (secret) out.push(finding(input, node, { cwe: 209, name: NAME, severity: "MEDIUM", confidence: "MEDIUM", text: `Sensitive value '${secret}' included in an exception message` }));
    }
  }
  return out;
}

function formatTemplateExposure(input: CheckInput, call: Node, method: string, proxies: Set<string>, duCache: Map<number, DefUse>): Finding | null {
  const template = calleeObject(call);
  if (!template) return null;
  const fn = enclosingFunction(call);
  let du: DefUse | null = null;
  if (fn) {
    du = defUseOf(input, fn);
    duCache.set(fn.id, du);
  }
  // A module constant (`DOC = """..."""` then `DOC.format(...)`) is the program's own text too.
  if (constantTemplate(template, du) || constantTemplate(template, moduleDefUse(input))) return null;
  // Module-level code has no caller: its templates are the program's own text unless they are read
  // from a source (standard input, a request) there.
  if (!fn && !readsRemoteSource(template, input) && ![...moduleDefUse(input).closure(namesIn(template))].some((n) => (moduleDefUse(input).assignedValues.get(n) ?? []).some((v) => readsRemoteSource(v, input)))) return null;
  // The template must be run-time data: derived from a parameter.
  if (fn && du) {
    const params = new Set(paramsOf(input, fn).map((p) => p.name));
    const origin = du.closure(namesIn(template));
    if (![...origin].some((n) => params.has(n))) return null;
    // A template the function inspects first (rejects attribute/index access, forbidden fields)
    // has been validated: any dominating condition that reads it counts.
    const derived = du.derivedFrom([...origin].filter((n) => params.has(n)));
    if (guardsAt(call).some((g) => [...namesIn(g.condition)].some((n) => derived.has(n)))) return null;
  }
  const args = call.childForFieldName("arguments")?.namedChildren ?? [];
  for (const a of args) {
    let value: Node | null = a;
    if (a.type === "keyword_argument") value = a.childForFieldName("value");
    else if (a.type === "dictionary_splat" || a.type === "list_splat") {
      const inner = a.namedChildren[0];
      // **obj.__dict__ / **vars(obj) hands every field of an object to the template.
      if (inner && /(__dict__$|^vars\()/.test(inner.text)) return exposure(input, call, inner.text);
      continue;
    }
    if (!value) continue;
    if (method === "format_map" && isObjectLike(value, fn, du, proxies)) return exposure(input, call, value.text);
    if (method === "format" && isObjectLike(value, fn, du, proxies)) return exposure(input, call, value.text);
  }
  return null;
}

const moduleDus = new WeakMap<CheckInput, DefUse>();
function moduleDefUse(input: CheckInput): DefUse {
  let du = moduleDus.get(input);
  if (!du) moduleDus.set(input, (du = new DefUse(input.module.root)));
  return du;
}

/** A template the code chooses among its own literals: "x", NAME, ["a", "b"][i], "a" if c else "b". */
function constantTemplate(template: Node, du: DefUse | null): boolean {
  const t = unwrap(template);
  if (constantString(t, du) !== null) return true;
  if (t.type === "subscript") {
    const base = t.childForFieldName("value");
    return base !== null && ["list", "tuple"].includes(unwrap(base).type) && unwrap(base).namedChildren.every((c) => constantString(c, du) !== null);
  }
  if (t.type === "conditional_expression") {
    const [a, , b] = t.namedChildren;
    return a !== undefined && b !== undefined && constantTemplate(a, du) && constantTemplate(b, du);
  }
  return false;
}

function exposure(input: CheckInput, call: Node, what: string): Finding {
  return finding(input, call, {
    cwe: 200,
    name: NAME,
    severity: "MEDIUM",
    confidence: "MEDIUM",
    text: `Run-time format template receives the object '${what}': placeholders such as {x.secret} or {x.__init__.__globals__} can read any attribute it reaches; pass only the fields the template may show, or a proxy that filters attributes`,
  });
}

/** Could the value be an object whose attributes a template can walk (not text/number/constant)? */
function isObjectLike(value: Node, fn: Node | null, du: DefUse | null, proxies: Set<string>, depth = 0): boolean {
  const v = unwrap(value);
  if (depth > 8) return true;
  switch (v.type) {
    case "string":
    case "concatenated_string":
    case "integer":
    case "float":
    case "true":
    case "false":
    case "none":
    case "binary_operator":
    case "unary_operator":
    case "comparison_operator":
    case "boolean_operator":
    case "not_operator":
      return false;
    case "call": {
      const tail = calleeTail(v);
      if (TEXT_CALLS.has(tail)) return false;
      const fnName = v.childForFieldName("function")?.text ?? "";
      if (proxies.has(fnName)) return false;
      // A helper of the same file that returns text (an f-string, a joined or substituted string).
      const helper = v.childForFieldName("function")?.type === "identifier" ? sameFileFunction(v, fnName) : null;
      if (helper && depth < 4 && returnsText(helper, proxies, depth + 1)) return false;
      return true;
    }
    case "identifier": {
      if (fn) {
        const param = parameters(fn).find((p) => p.name === v.text);
        // A parameter is what the caller chose to pass; the exposure is of objects the function
        // fetches from shared state. Only an annotated non-primitive parameter counts.
        if (param) return param.annotation !== null && !PRIMITIVE_ANNOTATIONS.test(param.annotation);
      }
      const values = du?.assignedValues.get(v.text);
      const loops = du?.loopSources.get(v.text);
      if (loops?.length && !values?.length) return !loops.every((iterable) => loopElementIsText(v.text, iterable, fn, du, proxies, depth + 1));
      if (values && values.length > 0 && !loops) return values.some((x) => isObjectLike(x, fn, du, proxies, depth + 1));
      return true;
    }
    case "conditional_expression": {
      const [a, , b] = v.namedChildren;
      return a === undefined || b === undefined || isObjectLike(a, fn, du, proxies, depth + 1) || isObjectLike(b, fn, du, proxies, depth + 1);
    }
    case "attribute":
      // A field of a record (`employee.name`) is what a report template is meant to show; the
      // exposure is handing over the whole record. Fields that are themselves records are missed.
      return false;
    case "subscript": {
      // hex(i)[2:] is as textual as hex(i).
      const base = v.childForFieldName("value");
      if (base && unwrap(base).type === "call") return isObjectLike(base, fn, du, proxies, depth + 1);
      // Reading through a filtering proxy (`safe.worker`) goes through its __getattr__.
      const root = rootName(v);
      if (root && du) {
        const values = du.assignedValues.get(root);
        if (values?.length && values.every((x) => !isObjectLike(x, fn, du, proxies, depth + 1))) return false;
      }
      return true;
    }
    default:
      return v.type !== "list" && v.type !== "tuple" ? true : v.namedChildren.some((c) => isObjectLike(c, fn, du, proxies, depth + 1));
  }
}

/**
 * The loop variable `name` bound by `for ... in iterable` is text or a number: the counter of
 * `enumerate(...)`, or an element of a literal list/tuple of constants (directly or through `zip`).
 */
function loopElementIsText(name: string, iterable: Node, fn: Node | null, du: DefUse | null, proxies: Set<string>, depth: number): boolean {
  const left = iterable.parent?.childForFieldName("left");
  if (!left) return false;
  const it = unwrap(iterable);
  const targets = left.type === "pattern_list" || left.type === "tuple_pattern" ? left.namedChildren : [left];
  const index = targets.findIndex((t) => t.text === name);
  const constantItems = (n: Node | undefined): boolean => {
    const u = n ? unwrap(n) : null;
    return u !== null && (u.type === "list" || u.type === "tuple") && u.namedChildren.every((c) => !isObjectLike(c, fn, du, proxies, depth));
  };
  if (it.type === "call") {
    const callee = calleeTail(it);
    const args = it.childForFieldName("arguments")?.namedChildren ?? [];
    if (callee === "enumerate") return index === 0 || (index === 1 && constantItems(args[0]));
    if (callee === "zip") return index >= 0 && constantItems(args[index]);
    return false;
  }
  return targets.length === 1 && constantItems(it);
}

/** The function a bare call names, defined in an enclosing scope or at module level. */
function sameFileFunction(call: Node, name: string): Node | null {
  for (let scope: Node | null = call.parent; scope; scope = scope.parent) {
    if (scope.type !== "block" && scope.type !== "module") continue;
    for (const d of scope.namedChildren) {
      const def = d.type === "decorated_definition" ? d.childForFieldName("definition") : d;
      if (def?.type === "function_definition" && def.childForFieldName("name")?.text === name) return def;
    }
  }
  return null;
}

/** Every `return` of the function gives text (never a whole object). */
function returnsText(fn: Node, proxies: Set<string>, depth: number): boolean {
  // `def make_tag(...) -> str:` says so itself.
  const annotation = fn.childForFieldName("return_type")?.text;
  if (annotation) return PRIMITIVE_ANNOTATIONS.test(annotation);
  const du = DefUse.of(fn);
  const returns = ofTypes(fn, ["return_statement"], { intoFunctions: false });
  return returns.length > 0 && returns.every((r) => r.namedChildren[0] !== undefined && !isObjectLike(r.namedChildren[0]!, fn, du, proxies, depth));
}

/** Classes (anywhere in the module) that define __getattr__/__getattribute__ and can refuse a name. */
function attributeFilteringClasses(root: Node): Set<string> {
  const out = new Set<string>();
  for (const cls of ofTypes(root, ["class_definition"])) {
    const body = cls.childForFieldName("body");
    if (!body) continue;
    for (const n of ofTypes(body, ["function_definition"])) {
      const name = n.childForFieldName("name")?.text;
      if (name === "__getattr__" || name === "__getattribute__") {
        const name = cls.childForFieldName("name")?.text;
        if (name) out.add(name);
      }
    }
  }
  return out;
}

function outputSink(call: Node, aliases: Map<string, string>): string | null {
  const q = qualifiedCallee(call, aliases) ?? "";
  if (q === "print") return "stdout";
  if (/^(sys\.)?(stdout|stderr)\.write$/.test(q)) return "a console stream";
  const tail = calleeTail(call);
  if (LOG_METHODS.has(tail)) {
    const obj = calleeObject(call);
    const base = obj ? (rootName(obj) ?? obj.text) : "";
    if (/^(logging|log|logger|_?logger|LOGGER|LOG|app)$/i.test(base) || /log/i.test(obj?.text ?? "")) return "a log";
  }
  return null;
}

/** A local value in the call/raise is a credential: by its origin or use, or the message's label. */
function localCredential(input: CheckInput, id: Node, statement: Node): boolean {
  const label = messageLabel(id, statement);
  const fn = enclosingFunction(id);
  const scope = fn ?? input.module.root;
  const du = fn ? defUseOf(input, fn) : moduleDefUse(input);
  const lexer = fn !== null && lexingCode(fn, id);
  if (holdsCredential(id, scope, du, input.aliases, lexer)) return true;
  if (label === null) return false;
  // "unexpected token {t}": a parser's token, not a credential.
  return !(label === "token" && (lexer || isLexicalToken(id, statement)));
}

/** Text of a secret value interpolated into the call/raise (not masked), else null. */
function secretInterpolated(input: CheckInput, node: Node): string | null {
  const exprs: Node[] = [];
  if (node.type === "call") exprs.push(...(node.childForFieldName("arguments")?.namedChildren ?? []));
  else exprs.push(...node.namedChildren);
  for (const e of exprs) {
    for (const n of descendants(e)) {
      if (n.type !== "identifier" && n.type !== "attribute") continue;
      if (n.type === "identifier" && n.parent?.type === "attribute") continue;
      if (n.type === "identifier" && n.parent?.type === "keyword_argument" && n.parent.childForFieldName("name")?.id === n.id) continue;
      if (n.parent?.type === "call" && n.parent.childForFieldName("function")?.id === n.id) continue;
      // `raise InvalidToken` / `raise errors.TokenError from e` names the exception's type: no value is shown.
      if (node.type === "raise_statement" && raisedType(n, node)) continue;
      if (n.type === "attribute" ? !isSecretName(n.childForFieldName("attribute")?.text ?? "") : !localCredential(input, n, node)) continue;
      if (n.type === "identifier" && holdsPath(n)) continue;
      if (maskedAbove(n, e)) continue;
      return n.text;
    }
    // Subscripts with a secret key: user["password"].
    for (const n of descendants(e)) {
      if (n.type !== "subscript") continue;
      const key = n.childForFieldName("subscript");
      const k = key && (key.type === "string" ? key.text.replace(/^[rbuf]*['"]+|['"]+$/gi, "") : null);
      if (k && isSecretName(k) && !maskedAbove(n, e)) return n.text;
    }
  }
  return null;
}

/** `n` is the raised class itself (`raise X`, `raise X from e`), not a value inside its message. */
function raisedType(n: Node, raise: Node): boolean {
  return n.parent?.id === raise.id && raise.namedChildren[0]?.id === n.id;
}

/**
 * A value a message calls a "token" that a parser produced: a loop variable over a token stream, a
 * value assigned from a tokenizer/`next()`/`split()` call, or a parameter shown in a parse error.
 * Printing it in a syntax error is diagnostics.
 */
function isLexicalToken(id: Node, statement: Node): boolean {
  const fn = enclosingFunction(id);
  if (!fn) return false;

  const du = DefUse.of(fn);
  if (du.loopSources.has(id.text)) return true;
  const values = du.assignedValues.get(id.text) ?? [];
  const params = parameters(fn).map((p) => p.name);
  // A parameter shown in a parse error (`raise SyntaxError(...)`, `ParseError`, `LexerError`).
  if (values.length === 0) return params.includes(id.text) && statement.type === "raise_statement" && PARSE_ERROR.test(raisedClass(statement));
  return values.every((v) => {
    const u = unwrap(v);
    const call = u.type === "subscript" ? unwrap(u.childForFieldName("value") ?? u) : u;
    return call.type === "call" && (PARSING_CALLS.test(calleeTail(call)) || consumesItsInput(call));
  });
}

/** A name assigned (only) from calls that return a path: the current directory, a joined path. */
function holdsPath(id: Node): boolean {
  const fn = enclosingFunction(id);
  if (!fn) return false;
  const values = DefUse.of(fn).assignedValues.get(id.text) ?? [];
  const aliases = importAliasesOf(id);
  return values.length > 0 && values.every((v) => {
    const u = unwrap(v);
    return u.type === "call" && PATH_CALLS.test(qualifiedCallee(u, aliases) ?? "");
  });
}

const aliasCache = new WeakMap<object, Map<string, string>>();
function importAliasesOf(n: Node): Map<string, string> {
  let m = aliasCache.get(n.tree);
  if (!m) aliasCache.set(n.tree, (m = importAliases(n.tree.rootNode)));
  return m;
}

/**
 * `token, rest = get_thing(rest)`: a parser that consumes the text it is given and hands back the
 * remainder, one of the assignment's own targets.
 */
function consumesItsInput(call: Node): boolean {
  const assign = call.parent?.type === "assignment" ? call.parent : null;
  const left = assign?.childForFieldName("left");
  if (!left || (left.type !== "pattern_list" && left.type !== "tuple_pattern")) return false;
  const targets = new Set(left.namedChildren.map((c) => c.text));
  const args = call.childForFieldName("arguments")?.namedChildren ?? [];
  return args.some((a) => a.type === "identifier" && targets.has(a.text));
}

const LEXING_FUNCTION = /(lex|tokeni[sz]|pars|scan)|(read|next|get|peek)_?token/i;
const LEXER_MODULES = /^((lib2to3\.)?pgen2\.)?(token|tokenize)$|^shlex$/;

/**
 * A function that is itself a tokenizer or parser (`read_token`, `lex`, `parse_args`), or code in a
 * module that works with Python's own tokens (`token`, `tokenize`, `shlex`): its tokens are text.
 */
function lexingCode(fn: Node, n: Node): boolean {
  if (LEXING_FUNCTION.test(functionName(fn))) return true;
  for (const [, module] of importAliasesOf(n)) if (LEXER_MODULES.test(module.replace(/^\.+/, ""))) return true;
  return false;
}

const PARSE_ERROR = /(Syntax|Pars|Lex|Scan|Grammar|Tokeni[sz])\w*(Error|Exception)$/;

/** The class a `raise` statement raises (`raise X(...)` -> X), or "". */
function raisedClass(raise: Node): string {
  const value = raise.namedChildren[0];
  const callee = value?.type === "call" ? value.childForFieldName("function") : value;
  return callee?.text ?? "";
}

function maskedAbove(n: Node, stop: Node): boolean {
  for (let p: Node | null = n.parent; p && p.id !== stop.parent?.id; p = p.parent) {
    if (p.type === "call" && MASKING.test(p.childForFieldName("function")?.text ?? "")) return true;
    if (p.type === "comparison_operator" || p.type === "boolean_operator" || p.type === "not_operator") return true;
  }
  return false;
}
