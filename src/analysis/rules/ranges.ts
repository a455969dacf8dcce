import type { SyntaxNode } from "../python/index.js";

/**
 * Bandit's `linerange` for a node with a position: `lineno` through `end_lineno`. Python's node
 * ends at its last token, but the parser puts comments that follow the last statement of an
 * indented body inside that body, so a def, class, except handler or loop can run past Python's
 * end there; a `# nosec` on such a trailing comment line must not count as inside the node.
 */
export function pyLineRange(node: SyntaxNode): number[] {
  const first = node.startPosition.row + 1;
  const last = Math.max(first, endRowWithoutTrailingComments(node) + 1);
  const out: number[] = [];
  for (let l = first; l <= last; l++) out.push(l);
  return out;
}

/** The end row of `node`'s last token that is not a comment (0-based). */
function endRowWithoutTrailingComments(node: SyntaxNode): number {
  let n = node;
  for (;;) {
    let last = n.lastChild;
    if (!last) return n.endPosition.row;
    if (last.type === "comment") {
      while (last && last.type === "comment") last = last.previousSibling;
      if (!last) return n.startPosition.row;
      n = last;
      continue;
    }
    // A named last child (a block, an expression) may itself end in comments; a token ends `n`.
    if (!last.isNamed) return n.endPosition.row;
    n = last;
  }
}
