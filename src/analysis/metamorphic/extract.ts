/**
 * Extract a helper: in each function, the longest run of consecutive top-level body statements
 * that can move moves into a new module-level function placed just before the function's
 * top-level definition; the run becomes `outs = helper(ins)`.
 *
 * Why the meaning is kept: the run executes the same statements on the same objects. Its inputs
 * are the function's locals it reads that were bound before it (passed by value; the objects are
 * shared, so mutations are seen); its outputs are the locals it binds that the rest of the
 * function reads, each bound unconditionally by a top-level simple statement of the run, so the
 * helper can always return them. Nothing in the run can see that it runs in another frame: no
 * return/yield/await, no global/nonlocal, no closures (def, class, lambda), no zero-argument
 * super(), no name-mangled `__names`, no del, no names read as strings (locals(), eval, ...), no
 * free variables of an enclosing function.
 */
import type { SyntaxNode } from "../python/index.js";
import { applyEdits, indentOf, type Edit } from "./edits.js";
import { freshNames, identifiersIn, isNameReference, Scopes, type Scope } from "./scopes.js";
import type { Transform } from "./types.js";

const BLOCKERS = ["return_statement", "yield", "await", "global_statement", "nonlocal_statement", "function_definition", "class_definition", "lambda", "decorated_definition", "delete_statement", "match_statement"];

function movable(stmt: SyntaxNode): boolean {
  if (stmt.type === "comment") return true;
  if (BLOCKERS.includes(stmt.type) || stmt.descendantsOfType(BLOCKERS).length > 0) return false;
  for (const id of stmt.descendantsOfType("identifier")) if (id.text.startsWith("__") || (id.text === "super" && isNameReference(id))) return false;
  return true;
}

function isDocstring(stmt: SyntaxNode): boolean {
  return stmt.type === "expression_statement" && stmt.namedChildren.length === 1 && stmt.namedChildren[0]!.type === "string";
}

const PATTERN_NODES = new Set(["pattern_list", "tuple_pattern", "list_pattern", "tuple", "list", "parenthesized_expression", "list_splat_pattern"]);

/** Is this binding certain once its top-level statement `stmt` completes? */
function definiteBinding(binding: SyntaxNode, stmt: SyntaxNode): boolean {
  if (stmt.type === "import_statement" || stmt.type === "import_from_statement") return true;
  if (stmt.type !== "expression_statement") return false;
  let p = binding.parent;
  let child = binding;
  while (p && PATTERN_NODES.has(p.type)) {
    child = p;
    p = p.parent;
  }
  if (!p || (p.type !== "assignment" && p.type !== "augmented_assignment") || child.field !== "left") return false;
  // Chained assignments nest in `right`; all of them run.
  for (let q: SyntaxNode | null = p; q && q.startIndex >= stmt.startIndex; q = q.parent) {
    if (q === stmt || q.id === stmt.id) return true;
    if (q.type !== "assignment") return false;
  }
  return false;
}

interface Plan {
  start: number;
  end: number;
  inputs: string[];
  outputs: string[];
}

/** The inputs and outputs of moving statements [i, j] of `body` out of `fn`, or null if it cannot move. */
function plan(scopes: Scopes, fnScope: Scope, stmts: SyntaxNode[], i: number, j: number): Plan | null {
  const start = stmts[i]!.startIndex;
  const end = stmts[j]!.endIndex;
  const inside = (n: SyntaxNode) => n.startIndex >= start && n.endIndex <= end;
  const reads = new Set<string>();
  for (let k = i; k <= j; k++) {
    for (const id of stmts[k]!.descendantsOfType("identifier")) {
      if (!isNameReference(id)) continue;
      const s = scopes.resolve(id);
      if (s === fnScope) reads.add(id.text);
      // A free variable of an enclosing function is out of reach from module level.
      else if (s && s !== scopes.module && !inside(s.node)) return null;
    }
  }
  const inputs: string[] = [];
  const outputs: string[] = [];
  const refsOutside = new Set<string>();
  const fnBody = fnScope.node.childForFieldName("body")!;
  for (const id of fnBody.descendantsOfType("identifier")) {
    if (!inside(id) && isNameReference(id) && scopes.resolve(id) === fnScope) refsOutside.add(id.text);
  }
  for (const name of reads) {
    const bindings = fnScope.bound.get(name) ?? [];
    const isParam = fnScope.params.includes(name);
    const before = bindings.some((b) => b.endIndex <= start);
    const after = bindings.some((b) => b.startIndex >= end);
    if (isParam || before) inputs.push(name);
    else if (after) return null; // read before any binding this run could be handed
  }
  for (const [name, bindings] of fnScope.bound) {
    const inRun = bindings.filter(inside);
    if (inRun.length === 0 || !refsOutside.has(name)) continue;
    const definite = inRun.some((b) => {
      for (let k = i; k <= j; k++) if (b.startIndex >= stmts[k]!.startIndex && b.endIndex <= stmts[k]!.endIndex) return definiteBinding(b, stmts[k]!);
      return false;
    });
    if (!definite) return null;
    outputs.push(name);
  }
  return { start, end, inputs, outputs };
}

export const extractHelper: Transform = (mod) => {
  const root = mod.root;
  const scopes = new Scopes(root);
  const nextName = freshNames(identifiersIn(root), "part");
  const edits: Edit[] = [];
  for (const fn of root.descendantsOfType("function_definition")) {
    const fnScope = scopes.scopeOf(fn);
    if (fnScope.dynamic || fnScope.globals.size || fnScope.nonlocals.size) continue;
    // A nested function that rebinds one of this function's variables (`nonlocal`) would rebind
    // the original, not the copy a helper is handed: moving code that reads it changes meaning.
    if (fn.descendantsOfType("nonlocal_statement").length > 0) continue;
    const body = fn.childForFieldName("body");
    if (!body || body.startPosition.row === fn.startPosition.row) continue;
    const stmts = body.namedChildren.filter((s) => s.type !== "comment");
    let first = isDocstring(stmts[0]!) ? 1 : 0;
    let best: Plan | null = null;
    let bestLen = 0;
    for (let i = first; i < stmts.length; i++) {
      if (!movable(stmts[i]!)) continue;
      let j = i;
      while (j + 1 < stmts.length && movable(stmts[j + 1]!)) j++;
      for (let end = j; end >= i && end - i + 1 > bestLen; end--) {
        const p = plan(scopes, fnScope, stmts, i, end);
        if (p) {
          best = p;
          bestLen = end - i + 1;
          break;
        }
      }
    }
    first = 0;
    if (!best) continue;
    let top: SyntaxNode = fn;
    while (top.parent && top.parent.type !== "module") top = top.parent;
    const indent = indentOf(mod.source, stmts.find((s) => s.startIndex === best!.start)!);
    const name = nextName();
    const outs = best.outputs.join(", ");
    const helper = `def ${name}(${best.inputs.join(", ")}):\n${indent}${mod.source.slice(best.start, best.end)}\n${outs ? `${indent}return ${outs}\n` : ""}\n\n`;
    edits.push({ start: top.startIndex, end: top.startIndex, text: helper });
    edits.push({ start: best.start, end: best.end, text: `${outs ? `${outs} = ` : ""}${name}(${best.inputs.join(", ")})` });
  }
  return edits.length ? applyEdits(mod.source, edits) : null;
};
