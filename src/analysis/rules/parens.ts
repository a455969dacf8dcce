import type { SyntaxNode } from "../python/index.js";

/**
 * Strip grouping parentheses as Python's `ast` does: `((x))` and a parenthesized value with
 * comments inside (`(  # why\n    "text"\n)`) are both just `x` / `"text"`. The parser keeps
 * comments as named children of the parentheses, so a check that needs exactly one named child
 * would leave such a group wrapped and every rule would stop seeing the constant inside it.
 */
export function unparenthesize(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.type === "parenthesized_expression") {
    const inner = n.namedChildCount === 1 ? n.namedChild(0) : onlyExpression(n);
    if (!inner || inner.type === "comment") break;
    n = inner;
  }
  return n;
}

/** The single non-comment named child, or null when there is none or more than one. */
function onlyExpression(group: SyntaxNode): SyntaxNode | null {
  let found: SyntaxNode | null = null;
  for (const c of group.namedChildren) {
    if (c.type === "comment") continue;
    if (found) return null;
    found = c;
  }
  return found;
}
