/**
 * Calls of a function value that the call site does not name: an element of a dispatch table
 * (`{"run": os.system}[action](cmd)`, `HANDLERS[k](x)` after `HANDLERS = [os.system]`), a
 * `functools.partial` of one (`partial(subprocess.call, shell=True)(cmd)`, also through a name
 * bound to it), a function handed to `map`, `filter` or a `key=` argument, which calls it on each
 * element, one handed to `functools.reduce` (called with the accumulator and each element), one
 * handed to a thread, a process, an executor or an event loop with its arguments
 * (`Thread(target=os.system, args=(cmd,))`, `pool.submit(os.system, cmd)`), the function value a
 * function of this file returns (`pick()(cmd)`), a member of a class built by `type(name, bases,
 * namespace)`, and `operator.methodcaller(name, ...)` called on an object
 * (`methodcaller("system", cmd)(os)` is `os.system(cmd)`). Each is given as the
 * qualified name called and the arguments it gets, so the sink models apply as they do to a
 * direct call. Without this, passing the sink around as a value hid every call of it.
 *
 *   indirectCalls(call, p) -> [{ callee: "os.system", args }]
 */
import type { CallArgs } from "../python/index.js";
import type { SyntaxNode } from "../python/cfg.js";
import { unparen, type FunctionInfo } from "./context.js";
import type { Program } from "./program.js";

export interface IndirectCall {
  /** Qualified name of the function called (`os.system`), or a function of this file by name. */
  callee: string;
  /** The file's function called, where it has no name to look up by (a lambda in a table). */
  fn?: FunctionInfo;
  args: CallArgs;
}

interface FunctionValue {
  callee: string;
  fn?: FunctionInfo;
  /**
   * `operator.methodcaller("system", cmd)`: a function that calls this method of its first
   * argument, with the bound arguments (`callee` is unused then).
   */
  method?: string;
  /** Arguments bound before the call's own (`partial(f, a, k=v)`). */
  positional: SyntaxNode[];
  keywords: Map<string, SyntaxNode>;
}

// Each helper that hands a function value on takes two steps (its call, then the name it returns).
const MAX_DEPTH = 12;
/** Builtins that call their first argument on each element of the others. */
const ELEMENT_CALLERS = new Set(["map", "filter", "itertools.starmap", "itertools.filterfalse"]);
/** Calls whose `key=` function is called on each element of the first argument. */
const KEY_CALLERS = new Set(["sorted", "min", "max", "heapq.nsmallest", "heapq.nlargest", "itertools.groupby"]);
const PARTIALS = new Set(["functools.partial", "functools.partialmethod"]);

/**
 * Calls that call a function they are given, with arguments they are given: where the function
 * is (a position or a keyword), and where its arguments are (the positions after it, or an
 * `args=` tuple and `kwargs=` dict).
 */
interface Applier {
  fn: { pos?: number; kw?: string };
  rest?: number;
  args?: { pos?: number; kw: string };
  kwargs?: string;
}
const APPLIERS_BY_CALLEE: ReadonlyMap<string, Applier> = new Map([
  ["threading.Thread", { fn: { kw: "target" }, args: { kw: "args" }, kwargs: "kwargs" }],
  ["multiprocessing.Process", { fn: { kw: "target" }, args: { kw: "args" }, kwargs: "kwargs" }],
  ["threading.Timer", { fn: { pos: 1, kw: "function" }, args: { pos: 2, kw: "args" }, kwargs: "kwargs" }],
  ["asyncio.to_thread", { fn: { pos: 0 }, rest: 1 }],
]);
/** Methods of executors, pools and event loops, whatever the receiver is called. */
const APPLIERS_BY_METHOD: ReadonlyMap<string, Applier> = new Map([
  ["submit", { fn: { pos: 0 }, rest: 1 }],
  ["run_in_executor", { fn: { pos: 1 }, rest: 2 }],
  ["apply", { fn: { pos: 0 }, args: { pos: 1, kw: "args" }, kwargs: "kwds" }],
  ["apply_async", { fn: { pos: 0 }, args: { pos: 1, kw: "args" }, kwargs: "kwds" }],
  ["call_soon", { fn: { pos: 0 }, rest: 1 }],
  ["call_later", { fn: { pos: 1 }, rest: 2 }],
]);
/** Methods that call their first argument on each element of the second (`pool.map(f, xs)`). */
const ELEMENT_METHODS = new Set(["map", "imap", "imap_unordered", "starmap", "map_async"]);

const cache = new WeakMap<Program, Map<number, IndirectCall[]>>();

export function indirectCalls(call: SyntaxNode, q: string | null, p: Program): IndirectCall[] {
  let byCall = cache.get(p);
  if (!byCall) cache.set(p, (byCall = new Map()));
  let out = byCall.get(call.id);
  if (!out) byCall.set(call.id, (out = compute(call, q, p)));
  return out;
}

function compute(call: SyntaxNode, q: string | null, p: Program): IndirectCall[] {
  const fnNode = call.childForFieldName("function");
  if (!fnNode) return [];
  const own = p.args(call);
  const out: IndirectCall[] = [];
  // `map(f, xs)`: f gets an element of xs where it takes its first argument.
  if (q && ELEMENT_CALLERS.has(q) && own.positional.length >= 2) {
    for (const v of functionValues(own.positional[0]!, p, 0, true)) out.push(withArgs(v, own.positional.slice(1), new Map()));
  }
  // `functools.reduce(f, xs, init)`: f(acc, x) for each element x, acc first init (or an element).
  if (q === "functools.reduce" && own.positional.length >= 2) {
    const xs = own.positional[1]!;
    const acc = own.positional[2] ?? xs;
    const elements = displayOf(xs, p);
    for (const v of functionValues(own.positional[0]!, p, 0, true)) for (const el of elements.length > 0 ? elements : [xs]) out.push(withArgs(v, [acc, el], new Map()));
  }
  const key = q && KEY_CALLERS.has(q) ? own.keywords.get("key") : undefined;
  if (key && own.positional[0]) for (const v of functionValues(key, p, 0, true)) out.push(withArgs(v, [own.positional[0]], new Map()));
  let f = unparen(fnNode);
  // `g.__call__(x)` is `g(x)`.
  while (f.type === "attribute" && f.childForFieldName("attribute")?.text === "__call__") f = unparen(f.childForFieldName("object")!);
  const method = f.type === "attribute" ? (f.childForFieldName("attribute")?.text ?? "") : "";
  const applier = (q ? APPLIERS_BY_CALLEE.get(q) : undefined) ?? (method ? APPLIERS_BY_METHOD.get(method) : undefined);
  const target = applier ? ((applier.fn.kw !== undefined ? own.keywords.get(applier.fn.kw) : undefined) ?? (applier.fn.pos !== undefined ? own.positional[applier.fn.pos] : undefined)) : undefined;
  if (applier && target) {
    const tuple = applier.args ? ((applier.args.kw !== undefined ? own.keywords.get(applier.args.kw) : undefined) ?? (applier.args.pos !== undefined ? own.positional[applier.args.pos] : undefined)) : undefined;
    const positional = applier.rest !== undefined ? own.positional.slice(applier.rest) : tuple ? packed(tuple) : [];
    const dict = applier.kwargs ? own.keywords.get(applier.kwargs) : undefined;
    for (const v of functionValues(target, p, 0, true)) out.push(withArgs(v, positional, dict ? packedKeywords(dict, p) : new Map()));
  }
  if (method && ELEMENT_METHODS.has(method) && !(q && ELEMENT_CALLERS.has(q)) && own.positional.length >= 2) {
    for (const v of functionValues(own.positional[0]!, p, 0, true)) out.push(withArgs(v, own.positional.slice(1), new Map()));
  }
  // A callee named at the site (`os.system`, `run`) is the direct call's business.
  if (f.type === "subscript" || f.type === "call" || (f.type === "identifier" && boundToValue(f, p)) || (f.type === "attribute" && typeBuiltMember(f, p))) {
    for (const v of functionValues(f, p, 0, false)) {
      if (v.method === undefined) out.push(withArgs(v, own.positional, own.keywords, own));
      else if (own.positional[0]) {
        // `methodcaller("system", cmd)(os)` is `os.system(cmd)`.
        const receiver = unparen(own.positional[0]);
        out.push(withArgs({ ...v, callee: `${p.qname(receiver) ?? receiver.text}.${v.method}` }, own.positional.slice(1), own.keywords, own));
      }
    }
  }
  return out;
}

function withArgs(v: FunctionValue, positional: SyntaxNode[], keywords: Map<string, SyntaxNode>, own?: CallArgs): IndirectCall {
  const kw = new Map([...v.keywords, ...keywords]);
  return {
    callee: v.callee,
    ...(v.fn ? { fn: v.fn } : {}),
    args: {
      positional: [...v.positional, ...positional],
      keywords: kw,
      keywordNodes: [...kw.values()].map((n) => n.parent ?? n),
      hasStarArgs: own?.hasStarArgs ?? false,
      hasStarStarKwargs: own?.hasStarStarKwargs ?? false,
      isGeneratorArgument: false,
    },
  };
}

/** Whether an identifier callee is bound to a value this module follows (a table element, a partial). */
function boundToValue(id: SyntaxNode, p: Program): boolean {
  if (p.byName.has(id.text) && !p.isImported(id)) return false;
  if (loopedDisplay(id, p)) return true;
  const b = p.bindingOf(id);
  const u = b ? unparen(b) : null;
  return !!u && (u.type === "subscript" || u.type === "call");
}

/**
 * The functions an expression may evaluate to. `named` accepts a plain name or dotted name as
 * itself (`map(os.system, xs)`); a callee written so is handled as a direct call instead.
 */
function functionValues(expr: SyntaxNode, p: Program, depth: number, named: boolean): FunctionValue[] {
  if (depth > MAX_DEPTH) return [];
  const e = unparen(expr);
  const none = { positional: [] as SyntaxNode[], keywords: new Map<string, SyntaxNode>() };
  switch (e.type) {
    case "identifier":
    case "attribute": {
      if (e.type === "attribute") {
        const member = typeBuiltMember(e, p);
        if (member) return functionValues(member, p, depth + 1, true);
      }
      const q = p.qname(e);
      if (e.type === "identifier" && !(p.byName.has(e.text) && !p.isImported(e))) {
        const looped = loopedDisplay(e, p);
        if (looped) return elementsOf(looped).flatMap((el) => functionValues(el, p, depth + 1, true));
        const b = p.bindingOf(e);
        if (b && ["subscript", "call", "list", "tuple", "dictionary", "set"].includes(unparen(b).type)) return functionValues(b, p, depth + 1, named);
        // `launch = os.popen; return launch`: a name bound to a function is that function.
        if (named && b && ["attribute", "identifier"].includes(unparen(b).type)) return functionValues(b, p, depth + 1, named);
      }
      return named && q ? [{ callee: q, ...none }] : [];
    }
    case "subscript": {
      let table = unparen(e.childForFieldName("value")!);
      if (table.type === "identifier") table = unparen(p.bindingOf(table) ?? table);
      return elementsOf(table).flatMap((el) => functionValues(el, p, depth + 1, true));
    }
    case "call": {
      const fn = e.childForFieldName("function");
      const f = fn ? unparen(fn) : null;
      // `pick()(cmd)`: a function of this file that returns a function value (a sink, a closure).
      const own = f?.type === "identifier" && !p.isImported(f) ? p.byName.get(f.text) : undefined;
      if (own) return p.returnedValues(own).flatMap((v) => functionValues(v, p, depth + 1, true));
      // `next(iter(table))`, `next(iter(table), default)`: an element of the table.
      if (f && p.qname(f) === "next") {
        const first = p.args(e).positional[0];
        const inner = first ? unparen(first) : null;
        const it = inner?.type === "call" && p.qname(inner.childForFieldName("function")!) === "iter" ? p.args(inner).positional[0] : undefined;
        return it ? displayOf(it, p).flatMap((el) => functionValues(el, p, depth + 1, true)) : [];
      }
      if (f && p.qname(f) === "operator.methodcaller") {
        const a = p.args(e);
        const name = a.positional[0] ? p.literalString(a.positional[0], null) : null;
        return name ? [{ callee: "", method: name, positional: a.positional.slice(1), keywords: a.keywords }] : [];
      }
      if (!fn || !PARTIALS.has(p.qname(unparen(fn)) ?? "")) return [];
      const a = p.args(e);
      if (!a.positional[0]) return [];
      return functionValues(a.positional[0], p, depth + 1, true).map((v) => ({
        callee: v.callee,
        ...(v.fn ? { fn: v.fn } : {}),
        positional: [...v.positional, ...a.positional.slice(1)],
        keywords: new Map([...v.keywords, ...a.keywords]),
      }));
    }
    case "lambda": {
      // `{"e": lambda s: eval(s)}[k](x)`: the lambda is a function of the file.
      const fn = p.byNode.get(e.id);
      return fn ? [{ callee: "<lambda>", fn, ...none }] : [];
    }
    default:
      return [];
  }
}

/**
 * `T.run` where `T = type("T", (), {"run": staticmethod(os.system)})`: the value the class
 * namespace given to `type` holds under the attribute's name (through staticmethod or
 * classmethod), or null.
 */
function typeBuiltMember(attr: SyntaxNode, p: Program): SyntaxNode | null {
  let cls = unparen(attr.childForFieldName("object") ?? attr);
  if (cls.type === "identifier") cls = unparen(p.bindingOf(cls) ?? cls);
  const fn = cls.type === "call" ? cls.childForFieldName("function") : null;
  if (!fn || p.qname(unparen(fn)) !== "type") return null;
  const namespace = p.args(cls).positional[2];
  const ns = namespace ? unparen(namespace) : null;
  if (ns?.type !== "dictionary") return null;
  const name = attr.childForFieldName("attribute")?.text;
  for (const pair of ns.namedChildren) {
    const key = pair.type === "pair" ? pair.childForFieldName("key") : null;
    if (!key || p.literalString(key, null) !== name) continue;
    let value = unparen(pair.childForFieldName("value") ?? key);
    const wrapper = value.type === "call" ? value.childForFieldName("function") : null;
    const wrapped = wrapper ? p.qname(unparen(wrapper)) : null;
    if ((wrapped === "staticmethod" || wrapped === "classmethod") && p.args(value).positional[0]) value = unparen(p.args(value).positional[0]!);
    return value;
  }
  return null;
}

/** The elements of a display, written there or bound to a name (`HANDLERS = [os.system]`). */
function displayOf(expr: SyntaxNode, p: Program): SyntaxNode[] {
  let d = unparen(expr);
  if (d.type === "identifier") d = unparen(p.bindingOf(d) ?? d);
  return d.type === "dictionary" ? [] : elementsOf(d);
}

/**
 * `for f in (os.system, os.popen): f(cmd)`: the display a loop variable takes its values from,
 * when the call is in that loop's body and the loop iterates a display (or a name bound to one).
 */
function loopedDisplay(id: SyntaxNode, p: Program): SyntaxNode | null {
  for (let x = id.parent; x; x = x.parent) {
    if (x.type === "function_definition" || x.type === "lambda" || x.type === "class_definition") return null;
    if (x.type !== "for_statement") continue;
    const left = x.childForFieldName("left");
    if (left?.type !== "identifier" || left.text !== id.text) continue;
    const body = x.childForFieldName("body");
    if (!body || id.startIndex < body.startIndex || id.endIndex > body.endIndex) continue;
    let right = unparen(x.childForFieldName("right") ?? left);
    if (right.type === "identifier") right = unparen(p.bindingOf(right) ?? right);
    return right.type === "list" || right.type === "tuple" || right.type === "set" ? right : null;
  }
  return null;
}

/** Elements of a display a function may be picked from: list/tuple/set items, dict values. */
function elementsOf(display: SyntaxNode): SyntaxNode[] {
  if (display.type === "dictionary") return display.namedChildren.filter((c) => c.type === "pair").map((c) => c.childForFieldName("value")!).filter(Boolean);
  if (display.type === "list" || display.type === "tuple" || display.type === "set") return display.namedChildren.filter((c) => c.type !== "comment" && c.type !== "list_splat");
  return [];
}

/** The items of an `args=` tuple display, or the whole expression as one argument's worth of taint. */
function packed(tuple: SyntaxNode): SyntaxNode[] {
  const t = unparen(tuple);
  return (t.type === "tuple" || t.type === "list") && !t.namedChildren.some((c) => c.type === "list_splat") ? t.namedChildren.filter((c) => c.type !== "comment") : [t];
}

/** The entries of a `kwargs=` dict display with constant names. */
function packedKeywords(dict: SyntaxNode, p: Program): Map<string, SyntaxNode> {
  const out = new Map<string, SyntaxNode>();
  const d = unparen(dict);
  if (d.type !== "dictionary") return out;
  for (const pair of d.namedChildren) {
    const key = pair.type === "pair" ? pair.childForFieldName("key") : null;
    const name = key ? p.literalString(key, null) : null;
    const value = pair.childForFieldName("value");
    if (name && value) out.set(name, value);
  }
  return out;
}
