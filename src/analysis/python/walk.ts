import type { SyntaxNode } from "./source.js";

/** Return `false` from a visitor to skip the node's children. */
export type Visitor = (node: SyntaxNode, depth: number) => void | boolean;

/**
 * Pre-order walk over named nodes with an explicit cursor (no recursion, so 10k-deep nesting is
 * fine). Comments are named nodes in tree-sitter and are visited too.
 */
export function walkPreorder(root: SyntaxNode, visit: Visitor): void {
  const cursor = root.walk();
  let depth = 0;
  for (;;) {
    let descend = true;
    if (cursor.currentNode.isNamed) {
      descend = visit(cursor.currentNode, depth) !== false;
    }
    if (descend && cursor.gotoFirstChild()) {
      depth++;
      continue;
    }
    for (;;) {
      if (depth === 0) return;
      if (cursor.gotoNextSibling()) break;
      cursor.gotoParent();
      depth--;
    }
  }
}

/**
 * Visit, in document (pre-order) order, every node whose type is in `types`. The search scans the
 * tree's flat type column (descendantsOfType), so only matching nodes get node objects. It already
 * includes `root` itself when it matches, so the root is not visited separately (that reported
 * every B613 finding twice).
 */
export function walkTypes(root: SyntaxNode, types: ReadonlySet<string>, visit: (node: SyntaxNode) => void): void {
  if (types.size === 0) return;
  for (const node of root.descendantsOfType(typeList(types))) visit(node);
}

// descendantsOfType caches its type-id set per list object: give each set one list.
const listsOfSets = new WeakMap<ReadonlySet<string>, readonly string[]>();
function typeList(types: ReadonlySet<string>): readonly string[] {
  let list = listsOfSets.get(types);
  if (!list) listsOfSets.set(types, (list = [...types]));
  return list;
}

/** Node types whose children can be statements; import tables only need to look inside these. */
export const STATEMENT_CONTAINERS: ReadonlySet<string> = new Set([
  "module",
  "block",
  "decorated_definition",
  "function_definition",
  "class_definition",
  "if_statement",
  "elif_clause",
  "else_clause",
  "for_statement",
  "while_statement",
  "try_statement",
  "except_clause",
  "except_group_clause",
  "finally_clause",
  "with_statement",
  "match_statement",
  "case_clause",
  "ERROR",
]);

/**
 * Visit statements of the given types anywhere in the module (nested blocks included) without
 * walking into expressions: far cheaper than a full walk on large files.
 */
export function walkStatements(root: SyntaxNode, types: ReadonlySet<string>, visit: (node: SyntaxNode) => void): void {
  const stack: SyntaxNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (types.has(node.type)) visit(node);
    if (!STATEMENT_CONTAINERS.has(node.type)) continue;
    const kids = node.namedChildren;
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
}

/** Named ancestors from the parent up to the root. */
export function* ancestors(node: SyntaxNode): Generator<SyntaxNode> {
  for (let p = node.parent; p; p = p.parent) yield p;
}

/** The nearest enclosing function, class or the module, for scoping questions. */
export function enclosingScope(node: SyntaxNode): SyntaxNode {
  let last = node;
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === "function_definition" || p.type === "class_definition" || p.type === "lambda") return p;
    last = p;
  }
  return last;
}

/** Does `node` lie inside `outer`'s range (`outer` itself included)? */
export function isWithin(node: SyntaxNode, outer: SyntaxNode | null): boolean {
  return !!outer && node.startIndex >= outer.startIndex && node.endIndex <= outer.endIndex;
}

/**
 * Strip grouping parentheses as Python's `ast` does: `((x))` is `x`, and so is a group holding
 * comments (`(  # why\n    "text"\n)`): the parser keeps comments as named children of the
 * parentheses, which Python's tree does not have.
 */
export function unparenthesize(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.type === "parenthesized_expression") {
    const inner = onlyExpression(n);
    if (!inner) break;
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
