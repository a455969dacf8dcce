/**
 * Inline a one-use helper: a module-level function called exactly once, as a statement
 * (`h(a)`, `x = h(a)` or `return h(a)`), is replaced at the call by its body, and its definition
 * is removed.
 *
 * Why the meaning is kept: the arguments are evaluated once, in the order written, into fresh
 * variables standing for the parameters; the body runs with its parameters and locals renamed to
 * fresh names (so it can neither see nor clobber the caller's locals), and its final `return e`
 * becomes the assignment, `return` or expression the call was part of. The helper may return only
 * as its last statement (an early return would need control flow the caller does not have), must
 * not be a generator, a closure or decorated, must not read names as strings, and every global it
 * reads must mean the same at the call site (no local of the caller shadows it).
 */
import type { SyntaxNode } from "../python/index.js";
import { applyEdits, indentOf, lineStart, type Edit } from "./edits.js";
import { FUNCTION_SCOPES, freshNames, identifiersIn, isNameReference, Scopes } from "./scopes.js";
import type { Transform } from "./types.js";

const BLOCKERS = ["yield", "await", "global_statement", "nonlocal_statement", "function_definition", "class_definition", "lambda", "decorated_definition", "match_statement"];

/** The statement a call is the whole point of, and how its value is used. */
function callStatement(call: SyntaxNode): { stmt: SyntaxNode; use: "discard" | "assign" | "return"; target?: SyntaxNode } | null {
  const p = call.parent;
  if (!p) return null;
  if (p.type === "expression_statement" && p.namedChildren.length === 1) return { stmt: p, use: "discard" };
  if (p.type === "return_statement") return { stmt: p, use: "return" };
  if (p.type === "assignment" && call.field === "right" && !p.childForFieldName("type") && p.parent?.type === "expression_statement" && p.parent.namedChildren.length === 1) {
    return { stmt: p.parent, use: "assign", target: p.childForFieldName("left")! };
  }
  return null;
}

/** Line indices (0-based, relative to `start`) of lines that begin inside a string literal. */
function linesInStrings(root: SyntaxNode, source: string, start: number, end: number): Set<number> {
  const out = new Set<number>();
  const strings = root.descendantsOfType("string").filter((s) => s.endIndex > start && s.startIndex < end);
  let line = 0;
  for (let at = start; at < end; at++) {
    if (source[at] !== "\n") continue;
    line++;
    if (strings.some((s) => at + 1 > s.startIndex && at + 1 < s.endIndex)) out.add(line);
  }
  return out;
}

export const inlineHelper: Transform = (mod) => {
  const root = mod.root;
  const source = mod.source;
  const scopes = new Scopes(root);
  const fresh = freshNames(identifiersIn(root), "t");
  const edits: Edit[] = [];
  const touched: Array<[number, number]> = [];
  const overlaps = (s: number, e: number) => touched.some(([a, b]) => s < b && e > a);
  for (const fn of root.namedChildren) {
    if (fn.type !== "function_definition" || fn.children.some((c) => c.type === "async")) continue;
    const nameNode = fn.childForFieldName("name")!;
    const scope = scopes.scopeOf(fn);
    const body = fn.childForFieldName("body");
    const paramsNode = fn.childForFieldName("parameters");
    if (!body || !paramsNode || scope.dynamic || body.startPosition.row === fn.startPosition.row) continue;
    if (paramsNode.namedChildren.some((p) => p.type !== "identifier")) continue;
    if (body.descendantsOfType(BLOCKERS).length || body.descendantsOfType("identifier").some((i) => i.text.startsWith("__"))) continue;
    const stmts = body.namedChildren.filter((s) => s.type !== "comment");
    const returns = body.descendantsOfType("return_statement");
    const last = stmts[stmts.length - 1];
    if (!last || returns.some((r) => r.id !== last.id)) continue;
    if ((scopes.module.bound.get(nameNode.text)?.length ?? 0) !== 1) continue;
    const uses = root.descendantsOfType("identifier").filter((i) => i.text === nameNode.text && i.id !== nameNode.id && isNameReference(i) && scopes.resolve(i) === scopes.module);
    if (uses.length !== 1) continue;
    const call = uses[0]!.parent;
    if (call?.type !== "call" || uses[0]!.field !== "function") continue;
    const site = callStatement(call);
    if (!site || site.stmt.parent?.type === "block" && site.stmt.parent.startPosition.row === site.stmt.parent.parent?.startPosition.row) continue;
    if (site.stmt.startIndex >= fn.startIndex && site.stmt.endIndex <= fn.endIndex) continue; // recursion
    const caller = scopes.enclosing(site.stmt);
    if (caller.kind === "class" || caller.kind === "comprehension") continue;
    if (caller.kind === "module" && site.stmt.startIndex < fn.endIndex) continue;
    // Arguments: positional or by parameter name, each parameter exactly once.
    const params = paramsNode.namedChildren.map((p) => p.text);
    const args = call.childForFieldName("arguments")?.namedChildren.filter((a) => a.type !== "comment") ?? [];
    if (args.length !== params.length || call.childForFieldName("arguments")?.type !== "argument_list") continue;
    const bindings: Array<{ param: string; value: SyntaxNode }> = [];
    let ok = true;
    let positional = 0;
    for (const a of args) {
      if (a.type === "list_splat" || a.type === "dictionary_splat" || a.type === "parenthesized_list_splat") ok = false;
      else if (a.type === "keyword_argument") bindings.push({ param: a.childForFieldName("name")!.text, value: a.childForFieldName("value")! });
      else if (positional < params.length) bindings.push({ param: params[positional++]!, value: a });
      else ok = false;
    }
    if (!ok || new Set(bindings.map((b) => b.param)).size !== params.length || bindings.some((b) => !params.includes(b.param))) continue;
    // Globals the helper reads must not be shadowed by the caller's locals (or any enclosing function's).
    const free = new Set(body.descendantsOfType("identifier").filter((i) => isNameReference(i) && scopes.resolve(i) !== scope && !(scopes.resolve(i)?.node && scopes.resolve(i)!.node.startIndex >= fn.startIndex && scopes.resolve(i)!.node.endIndex <= fn.endIndex)).map((i) => i.text));
    let enclosing: typeof caller | null = caller;
    for (; enclosing && enclosing.kind !== "module"; enclosing = scopes.enclosing(enclosing.node)) {
      if (FUNCTION_SCOPES.has(enclosing.node.type) && [...free].some((n) => enclosing!.bound.has(n))) break;
    }
    if (enclosing && enclosing.kind !== "module") continue;
    if (overlaps(fn.startIndex, fn.endIndex) || overlaps(site.stmt.startIndex, site.stmt.endIndex)) continue;

    // The helper's locals and parameters get fresh names.
    const renamed = new Map<string, string>();
    for (const name of scope.bound.keys()) renamed.set(name, fresh());
    const kept = stmts.filter((s, i) => !(i === 0 && s.type === "expression_statement" && s.namedChildren[0]?.type === "string" && stmts.length > 1) && s.type !== "return_statement");
    const fromIndent = indentOf(source, stmts[0]!);
    const toIndent = indentOf(source, site.stmt);
    const lines: string[] = [];
    for (const b of bindings) lines.push(`${renamed.get(b.param)} = (${b.value.text})`);
    if (kept.length) {
      const start = kept[0]!.startIndex;
      const end = kept[kept.length - 1]!.endIndex;
      const renames: Edit[] = [];
      for (const id of body.descendantsOfType("identifier")) {
        if (id.startIndex < start || id.endIndex > end || !isNameReference(id) || scopes.resolve(id) !== scope) continue;
        renames.push({ start: id.startIndex - start, end: id.endIndex - start, text: renamed.get(id.text)! });
      }
      const keep = linesInStrings(root, source, start, end);
      const text = applyEdits(source.slice(start, end), renames).split("\n").map((l, i) => (i > 0 && !keep.has(i) && l.startsWith(fromIndent) ? toIndent + l.slice(fromIndent.length) : l));
      lines.push(text.join("\n"));
    }
    let value = "None";
    if (last.type === "return_statement") {
      const v = last.namedChildren.find((c) => c.type !== "comment");
      if (v) {
        const renames = v.descendantsOfType("identifier").filter((id) => isNameReference(id) && scopes.resolve(id) === scope).map((id) => ({ start: id.startIndex - v.startIndex, end: id.endIndex - v.startIndex, text: renamed.get(id.text)! }));
        value = `(${applyEdits(v.text, renames)})`;
      }
    }
    if (site.use === "assign") lines.push(`${site.target!.text} = ${value}`);
    else if (site.use === "return") lines.push(`return ${value}`);
    else if (value !== "None") lines.push(value);
    if (lines.length === 0) lines.push("pass");
    edits.push({ start: site.stmt.startIndex, end: site.stmt.endIndex, text: lines.join(`\n${toIndent}`) });
    const defEnd = source.indexOf("\n", fn.endIndex);
    edits.push({ start: lineStart(source, fn.startIndex), end: defEnd < 0 ? source.length : defEnd + 1, text: "" });
    touched.push([fn.startIndex, fn.endIndex], [site.stmt.startIndex, site.stmt.endIndex]);
  }
  return edits.length ? applyEdits(source, edits) : null;
};
