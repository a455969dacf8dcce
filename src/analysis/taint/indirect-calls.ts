/**
 * Calls of a function value that the call site does not name: an element of a dispatch table
 * (`{"run": os.system}[action](cmd)`, `HANDLERS[k](x)` after `HANDLERS = [os.system]`), a
 * `functools.partial` of one (`partial(subprocess.call, shell=True)(cmd)`, also through a name
 * bound to it), and a function handed to `map`, `filter` or a `key=` argument, which calls it on
 * each element. Each is given as the qualified name called and the arguments it gets, so the sink
 * models apply as they do to a direct call. Without this, passing the sink around as a value hid
 * every call of it.
 *
 *   indirectCalls(call, p) -> [{ callee: "os.system", args }]
 */
import type { CallArgs } from "../python/index.js";
import type { SyntaxNode } from "../python/cfg.js";
import { unparen } from "./context.js";
import type { Program } from "./program.js";

export interface IndirectCall {
  /** Qualified name of the function called (`os.system`), or a function of this file by name. */
  callee: string;
  args: CallArgs;
}

interface FunctionValue {
  callee: string;
  /** Arguments bound before the call's own (`partial(f, a, k=v)`). */
  positional: SyntaxNode[];
  keywords: Map<string, SyntaxNode>;
}

const MAX_DEPTH = 6;
/** Builtins that call their first argument on each element of the others. */
const ELEMENT_CALLERS = new Set(["map", "filter", "itertools.starmap", "itertools.filterfalse"]);
/** Calls whose `key=` function is called on each element of the first argument. */
const KEY_CALLERS = new Set(["sorted", "min", "max", "heapq.nsmallest", "heapq.nlargest", "itertools.groupby"]);
const PARTIALS = new Set(["functools.partial", "functools.partialmethod"]);

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
  const key = q && KEY_CALLERS.has(q) ? own.keywords.get("key") : undefined;
  if (key && own.positional[0]) for (const v of functionValues(key, p, 0, true)) out.push(withArgs(v, [own.positional[0]], new Map()));
  const f = unparen(fnNode);
  // A callee named at the site (`os.system`, `run`) is the direct call's business.
  if (f.type === "subscript" || f.type === "call" || (f.type === "identifier" && boundToValue(f, p))) {
    for (const v of functionValues(f, p, 0, false)) out.push(withArgs(v, own.positional, own.keywords, own));
  }
  return out;
}

function withArgs(v: FunctionValue, positional: SyntaxNode[], keywords: Map<string, SyntaxNode>, own?: CallArgs): IndirectCall {
  const kw = new Map([...v.keywords, ...keywords]);
  return {
    callee: v.callee,
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
      const q = p.qname(e);
      if (e.type === "identifier" && !(p.byName.has(e.text) && !p.isImported(e))) {
        const b = p.bindingOf(e);
        if (b && ["subscript", "call", "list", "tuple", "dictionary", "set"].includes(unparen(b).type)) return functionValues(b, p, depth + 1, named);
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
      if (!fn || !PARTIALS.has(p.qname(unparen(fn)) ?? "")) return [];
      const a = p.args(e);
      if (!a.positional[0]) return [];
      return functionValues(a.positional[0], p, depth + 1, true).map((v) => ({
        callee: v.callee,
        positional: [...v.positional, ...a.positional.slice(1)],
        keywords: new Map([...v.keywords, ...a.keywords]),
      }));
    }
    default:
      return [];
  }
}

/** Elements of a display a function may be picked from: list/tuple/set items, dict values. */
function elementsOf(display: SyntaxNode): SyntaxNode[] {
  if (display.type === "dictionary") return display.namedChildren.filter((c) => c.type === "pair").map((c) => c.childForFieldName("value")!).filter(Boolean);
  if (display.type === "list" || display.type === "tuple" || display.type === "set") return display.namedChildren.filter((c) => c.type !== "comment" && c.type !== "list_splat");
  return [];
}
