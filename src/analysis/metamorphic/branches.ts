/**
 * Swapped branches: `if C: A else: B` becomes `if not (C): B else: A` (and `if not X: A else: B`
 * becomes `if X: B else: A`); an `if C: A` without `else` becomes `if not (C): pass else: A`. Python runs A exactly when C is true in both, since `not` applies
 * the same truth test `if` does. Only plain if/else (no elif) whose two blocks are laid out alike
 * (both on their own lines, or both inline), so the block texts can trade places verbatim; nested
 * candidates are left for the outermost swap to carry unchanged.
 */
import type { SyntaxNode } from "../python/index.js";
import { applyEdits, indentOf, replaceNode, type Edit } from "./edits.js";
import type { Transform } from "./types.js";

function multiline(block: SyntaxNode, header: SyntaxNode): boolean {
  return block.startPosition.row > header.startPosition.row;
}

export const swapBranches: Transform = (mod) => {
  const edits: Edit[] = [];
  let taken: Array<[number, number]> = [];
  for (const stmt of mod.root.descendantsOfType("if_statement")) {
    if (taken.some(([s, e]) => stmt.startIndex >= s && stmt.endIndex <= e)) continue;
    const alternatives = stmt.childrenForFieldName("alternative");
    const cond = stmt.childForFieldName("condition");
    const body = stmt.childForFieldName("consequence");
    if (alternatives.length === 0 && cond && body && multiline(body, stmt)) {
      // `if C: A` is `if not (C): pass / else: A`.
      const test = cond.type === "not_operator" ? cond.childForFieldName("argument")!.text : `not (${cond.text})`;
      edits.push(replaceNode(cond, test), { start: body.startIndex, end: body.startIndex, text: `pass\n${indentOf(mod.source, stmt)}else:\n${indentOf(mod.source, body)}` });
      taken.push([stmt.startIndex, stmt.endIndex]);
      continue;
    }
    if (alternatives.length !== 1 || alternatives[0]!.type !== "else_clause") continue;
    const then = stmt.childForFieldName("consequence");
    const elseClause = alternatives[0]!;
    const otherwise = elseClause.childForFieldName("body");
    if (!cond || !then || !otherwise) continue;
    if (multiline(then, stmt) !== multiline(otherwise, elseClause)) continue;
    // Comments between the blocks would move to the other branch's side: fine for meaning, but
    // a block that ends in a comment line is laid out by the comment; keep it simple and skip.
    if (then.namedChildren.some((c) => c.type === "comment") || otherwise.namedChildren.some((c) => c.type === "comment")) continue;
    const negated = cond.type === "not_operator" ? cond.childForFieldName("argument") : null;
    const test = negated ? negated.text : `not (${cond.text})`;
    edits.push(replaceNode(cond, test), { start: then.startIndex, end: then.endIndex, text: otherwise.text }, { start: otherwise.startIndex, end: otherwise.endIndex, text: then.text });
    taken.push([stmt.startIndex, stmt.endIndex]);
  }
  taken = [];
  return edits.length ? applyEdits(mod.source, edits) : null;
};
