/**
 * Calls to the module's own functions, for checks that must follow a value or a condition across
 * a helper: a program does not change meaning when part of a function moves into a helper, so
 * neither may the verdict (docs/vuln/metamorphic.md).
 *
 * A call `h(a, b=c)` resolves to a module-level `def h` bound once (no other binding of `h` at
 * module level), and `self.m(...)` to the method `m` of the enclosing class. Conditions cross a
 * call by substituting arguments for parameters (or back): the condition is re-parsed with the
 * other frame's names, so a check reads it exactly as if it were written there.
 */
import { parsePython } from "../../python/index.js";
import { alwaysExits, callArgs, DefUse, descendants, enclosingFunction, functionName, namesIn, ofTypes, parameters, unwrap, type Guard, type Node } from "./ast.js";
import { derivesFromUntrusted, readsRemoteSource, type UntrustedOptions } from "./remote-input.js";
import { defUseOf, type CheckInput } from "./types.js";

const defUses = new WeakMap<object, Map<number, DefUse>>();

/** One def-use map per function of a tree (the checks' input cache is not at hand here). */
function defUseCached(fn: Node): DefUse {
  let perTree = defUses.get(fn.tree);
  if (!perTree) defUses.set(fn.tree, (perTree = new Map()));
  let du = perTree.get(fn.id);
  if (!du) perTree.set(fn.id, (du = new DefUse(fn)));
  return du;
}

/** How deep a helper chain is followed (helpers of helpers). */
export const MAX_CALL_DEPTH = 3;

const moduleFunctions = new WeakMap<object, Map<string, Node>>();

/** Module-level functions whose name nothing else at module level rebinds, by name. */
export function localFunctions(anyNode: Node): Map<string, Node> {
  let map = moduleFunctions.get(anyNode.tree);
  if (map) return map;
  map = new Map();
  let root: Node = anyNode;
  while (root.parent) root = root.parent;
  const rebound = new Set<string>();
  for (const stmt of root.namedChildren) {
    const def = stmt.type === "decorated_definition" ? null : stmt.type === "function_definition" ? stmt : null;
    if (def) {
      const name = functionName(def);
      // A later `def` of the same name replaces the earlier one; the last binding is what runs.
      map.set(name, def);
    } else if (stmt.type === "decorated_definition") {
      const d = stmt.childForFieldName("definition");
      if (d) rebound.add(functionName(d));
    } else {
      for (const id of ofTypes(stmt, ["identifier"], { intoFunctions: false })) {
        const p = id.parent;
        if (p && (p.type === "assignment" || p.type === "augmented_assignment") && p.childForFieldName("left")?.id === id.id) rebound.add(id.text);
      }
    }
  }
  for (const name of rebound) map.delete(name);
  moduleFunctions.set(anyNode.tree, map);
  return map;
}

/** The function of this module a call runs, or null (library call, dynamic callee). */
export function calledFunction(call: Node): Node | null {
  const f = call.childForFieldName("function");
  if (!f) return null;
  if (f.type === "identifier") {
    // A local or parameter of the same name shadows the module's function.
    const fn = enclosingFunction(call);
    if (fn && parameters(fn).some((p) => p.name === f.text)) return null;
    return localFunctions(call).get(f.text) ?? null;
  }
  if (f.type === "attribute" && f.childForFieldName("object")?.text === "self") {
    const name = f.childForFieldName("attribute")?.text;
    const method = enclosingFunction(call);
    const cls = method?.parent?.parent;
    if (!name || cls?.type !== "class_definition") return null;
    for (const stmt of cls.childForFieldName("body")?.namedChildren ?? []) {
      const def = stmt.type === "function_definition" ? stmt : null;
      if (def && functionName(def) === name) return def;
    }
  }
  return null;
}

/** Parameter name -> the argument expression the call binds to it (positional and keyword). */
export function argumentBinding(call: Node, fn: Node): Map<string, Node> {
  const out = new Map<string, Node>();
  const args = callArgs(call);
  // `parameters` leaves out `self`/`cls`, which the method call binds, not an argument.
  const names = parameters(fn)
    .filter((p) => p.node.type !== "list_splat_pattern" && p.node.type !== "dictionary_splat_pattern")
    .map((p) => p.name);
  args.positional.forEach((a, i) => {
    const name = names[i];
    if (name) out.set(name, a);
  });
  for (const [k, v] of args.keywords) if (names.includes(k)) out.set(k, v);
  return out;
}

/** Every call site of `fn` in its module (by the same resolution as `calledFunction`). */
const callSites = new WeakMap<object, Map<number, Node[]>>();

export function callSitesOf(fn: Node): Node[] {
  let sites = callSites.get(fn.tree);
  if (!sites) {
    sites = new Map();
    let root: Node = fn;
    while (root.parent) root = root.parent;
    for (const c of ofTypes(root, ["call"])) {
      const target = calledFunction(c);
      if (!target) continue;
      const list = sites.get(target.id) ?? [];
      list.push(c);
      sites.set(target.id, list);
    }
    callSites.set(fn.tree, sites);
  }
  return sites.get(fn.id) ?? [];
}

/** Expressions a function returns (not those of nested functions). */
export function returnedExpressions(fn: Node): Node[] {
  const body = fn.childForFieldName("body");
  if (!body) return [];
  return ofTypes(body, ["return_statement"], { intoFunctions: false }).flatMap((r) => (r.namedChildren[0] ? [r.namedChildren[0]] : []));
}

/**
 * Conditions that hold whenever the function returns normally: its top-level early exits by
 * raising (`if C: raise` gives not-C, `if C: ... else: raise` gives C), its asserts, and the same
 * of helpers it calls at top level (translated into its own names).
 */
export function exitGuards(fn: Node, depth = 0): Guard[] {
  const body = fn.childForFieldName("body");
  if (!body || depth > MAX_CALL_DEPTH) return [];
  const out: Guard[] = [];
  for (const stmt of body.namedChildren) {
    if (stmt.type === "if_statement") {
      const cond = stmt.childForFieldName("condition");
      const alts = stmt.namedChildren.filter((c) => c.type === "elif_clause" || c.type === "else_clause");
      if (!cond || alts.some((a) => a.type === "elif_clause")) continue;
      const elseBody = alts[0]?.childForFieldName("body") ?? null;
      if (raises(stmt.childForFieldName("consequence")) && !(elseBody && alwaysExits(elseBody))) out.push({ condition: cond, holds: false });
      else if (elseBody && raises(elseBody) && !alwaysExits(stmt.childForFieldName("consequence"))) out.push({ condition: cond, holds: true });
    } else if (stmt.type === "assert_statement" && stmt.namedChildren[0]) {
      out.push({ condition: stmt.namedChildren[0], holds: true });
    } else {
      for (const call of topLevelCalls(stmt)) out.push(...guardsAfterCall(call, depth + 1));
    }
  }
  return out;
}

/** Does the block always end by raising (an exit that does not return normally)? */
function raises(block: Node | null): boolean {
  if (!block || !alwaysExits(block)) return false;
  return !ofTypes(block, ["return_statement", "continue_statement", "break_statement"], { intoFunctions: false }).length;
}

/** The call a simple statement makes as its whole value (`h(x)`, `y = h(x)`), if any. */
export function topLevelCalls(stmt: Node): Node[] {
  if (stmt.type !== "expression_statement") return [];
  let e = stmt.namedChildren[0];
  if (!e) return [];
  while (e.type === "assignment" && e.childForFieldName("right")) e = e.childForFieldName("right")!;
  e = unwrap(e);
  return e.type === "call" ? [e] : [];
}

/** The exit guards of the helper a call runs, in the caller's names. */
export function guardsAfterCall(call: Node, depth = 0): Guard[] {
  const fn = calledFunction(call);
  if (!fn || fn.id === enclosingFunction(call)?.id || depth > MAX_CALL_DEPTH) return [];
  const binding = argumentBinding(call, fn);
  const out: Guard[] = [];
  for (const g of exitGuards(fn, depth)) {
    const cond = inCallerTerms(g.condition, fn, binding);
    if (cond) out.push({ condition: cond, holds: g.holds });
  }
  return out;
}

/**
 * Guards that hold at every call of the function (it has exactly one call site), in the
 * function's own names: an identifier argument stands for its parameter.
 */
export function callerGuards(fn: Node, guardsAtCall: (call: Node) => Guard[]): Guard[] {
  const sites = callSitesOf(fn).filter((c) => enclosingFunction(c)?.id !== fn.id);
  if (sites.length !== 1) return [];
  const call = sites[0]!;
  const back = new Map<string, string>();
  for (const [param, arg] of argumentBinding(call, fn)) if (unwrap(arg).type === "identifier") back.set(unwrap(arg).text, param);
  const out: Guard[] = [];
  for (const g of guardsAtCall(call)) {
    const cond = substitute(g.condition, (name) => back.get(name) ?? null);
    if (cond) out.push({ condition: cond, holds: g.holds });
  }
  return out;
}

const parsedConditions = new Map<string, Node | null>();

/**
 * The condition with each name read replaced by `rename(name)` (when not null), as an expression
 * node of a small tree of its own. The original node comes back when nothing is renamed.
 */
export function substitute(cond: Node, rename: (name: string) => string | null): Node | null {
  const text = substituteText(cond, rename);
  return text === null ? cond : parseExpression(text);
}

/** The expression's text with names replaced, or null when nothing is replaced. */
function substituteText(expr: Node, rename: (name: string) => string | null): string | null {
  const edits: { start: number; end: number; text: string }[] = [];
  for (const id of expr.type === "identifier" ? [expr] : descendants(expr)) {
    if (id.type !== "identifier") continue;
    const p = id.parent;
    if (p?.type === "attribute" && p.childForFieldName("attribute")?.id === id.id) continue;
    if (p?.type === "keyword_argument" && p.childForFieldName("name")?.id === id.id) continue;
    const to = rename(id.text);
    // A plain name or attribute chain goes in bare, so checks see `req["headers"]` as they would in place.
    if (to !== null && to !== id.text) edits.push({ start: id.startIndex - expr.startIndex, end: id.endIndex - expr.startIndex, text: /^[A-Za-z_][\w.]*$/.test(to) ? to : `(${to})` });
  }
  if (edits.length === 0) return null;
  let text = expr.text;
  for (const e of edits.sort((a, b) => b.start - a.start)) text = text.slice(0, e.start) + e.text + text.slice(e.end);
  return text;
}

function parseExpression(raw: string): Node | null {
  const text = `(${raw.replace(/\n/g, " ")})`;
  if (parsedConditions.has(text)) return parsedConditions.get(text)!;
  let node: Node | null = null;
  try {
    const mod = parsePython(text, "<condition>");
    const stmt = mod.root.namedChildren[0];
    node = stmt?.type === "expression_statement" && stmt.namedChildren[0] && !mod.root.hasError ? unwrap(stmt.namedChildren[0]) : null;
  } catch {
    node = null;
  }
  if (parsedConditions.size > 2000) parsedConditions.clear();
  parsedConditions.set(text, node);
  return node;
}

/**
 * An expression of a helper read in its caller's terms: parameters become the call's arguments
 * and a local assigned once becomes what it was assigned (`main_type` -> `content_type.split("/")`
 * -> `req["headers"]["Content-Type"].split("/")`), so a condition on a helper's local reads as
 * the same condition on the caller's values.
 */
export function inCallerTerms(expr: Node, fn: Node, binding: Map<string, Node>): Node | null {
  const du = defUseCached(fn);
  const params = new Set(parameters(fn).map((p) => p.name));
  const rename = (depth: number) => (name: string): string | null => {
    const arg = binding.get(name);
    if (arg) return arg.text;
    if (params.has(name) || depth >= 4) return null;
    const values = du.assignedValues.get(name) ?? [];
    if (values.length !== 1 || du.loopSources.has(name)) return null;
    const v = values[0]!;
    return substituteText(v, rename(depth + 1)) ?? v.text;
  };
  const text = substituteText(expr, rename(0));
  return text === null ? expr : parseExpression(text);
}

/**
 * The expressions local helpers called in `expr` return, and the values the names they return
 * were computed from, in the caller's names (predicates like `is_safe(name)`, `token =
 * read_token(req)`). Helpers of helpers are read through the composed argument binding.
 */
export function helperResults(expr: Node, depth = 0, outer: (name: string) => string | null = () => null): Node[] {
  if (depth > MAX_CALL_DEPTH) return [];
  const out: Node[] = [];
  for (const call of ofTypes(expr, ["call"]).concat(expr.type === "call" ? [expr] : [])) {
    const fn = calledFunction(call);
    if (!fn || fn.id === enclosingFunction(call)?.id) continue;
    const binding = argumentBinding(call, fn);
    const rename = (name: string): string | null => {
      const arg = binding.get(name);
      return arg ? (substituteText(arg, outer) ?? arg.text) : null;
    };
    const du = defUseCached(fn);
    for (const r of returnedExpressions(fn)) {
      const values = [r];
      for (const name of du.closure(namesIn(r))) values.push(...(du.assignedValues.get(name) ?? []));
      for (const v of values) {
        const text = substituteText(v, rename);
        const e = text === null ? v : parseExpression(text);
        if (e) out.push(e);
        out.push(...helperResults(v, depth + 1, rename));
      }
    }
  }
  return out;
}

/**
 * `derivesFromUntrusted` that also follows values out of the module's own helpers: `name =
 * get_name()` where the helper returns request data, or returns its parameter and is handed
 * untrusted input.
 */
export function untrustedAcrossCalls(expr: Node, input: CheckInput, opts: UntrustedOptions = {}, depth = 0): boolean {
  if (derivesFromUntrusted(expr, input, opts)) return true;
  if (depth >= MAX_CALL_DEPTH) return false;
  const fn = enclosingFunction(expr);
  for (const value of valuesOf(expr, fn, input)) {
    for (const call of callsIn(value)) if (helperReturnsUntrusted(call, input, opts, depth + 1)) return true;
  }
  return false;
}

/** The expression and every value its names were (transitively) assigned within its function. */
function valuesOf(expr: Node, fn: Node | null, input: CheckInput): Node[] {
  const out = [expr];
  if (!fn) return out;
  const du = defUseOf(input, fn);
  for (const name of du.closure(namesIn(expr))) out.push(...(du.assignedValues.get(name) ?? []), ...(du.loopSources.get(name) ?? []));
  return out;
}

function callsIn(expr: Node): Node[] {
  return expr.type === "call" ? [expr, ...ofTypes(expr, ["call"])] : ofTypes(expr, ["call"]);
}

function helperReturnsUntrusted(call: Node, input: CheckInput, opts: UntrustedOptions, depth: number): boolean {
  const helper = calledFunction(call);
  if (!helper || helper.id === enclosingFunction(call)?.id || depth > MAX_CALL_DEPTH) return false;
  const binding = argumentBinding(call, helper);
  const params = new Set(parameters(helper).map((p) => p.name));
  for (const r of returnedExpressions(helper)) {
    const du = defUseOf(input, helper);
    for (const name of du.closure(namesIn(r))) {
      const arg = binding.get(name);
      if (arg && params.has(name) && untrustedAcrossCalls(arg, input, opts, depth)) return true;
    }
    for (const value of valuesOf(r, helper, input)) {
      if (readsRemoteSource(value, input, opts)) return true;
      for (const inner of callsIn(value)) if (helperReturnsUntrusted(inner, input, opts, depth + 1)) return true;
    }
  }
  return false;
}
