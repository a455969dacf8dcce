/**
 * Bandit runs its "Str" checks on every str constant that is not a bare expression statement
 * (docstrings), with the constant's `ast` parent at hand and the parent's lines as the line range.
 * An f-string is a JoinedStr whose literal runs are str constants of their own. These helpers
 * rebuild those constants from tree-sitter's `string`/`concatenated_string` nodes.
 */
import type { SyntaxNode } from "../../../python/index.js";
import { nodeText, readStringToken, literalValue, SIMPLE_ESCAPES } from "../../../python/index.js";
import type { RuleHit } from "../../types.js";
import { isExprStatement, isJoinedStr, pyParentFrom } from "./bandit.js";

export interface StrSite {
  /** Node holding the constant (a string, a concatenation, or a literal run inside an f-string). */
  node: SyntaxNode;
  value: string;
  /** The `ast` parent: the enclosing node, or the f-string itself for a literal run. */
  parent: SyntaxNode | null;
  /** Set for literal runs of an f-string: the JoinedStr node and whether this is its first run. */
  joined?: { node: SyntaxNode; first: boolean; allText: string };
}

/** Node types a Str rule dispatches on. */
export const STRING_NODE_TYPES = ["string", "concatenated_string"] as const;

function decodeFStringText(text: string, raw: boolean): string {
  let s = text;
  if (!raw) {
    s = s.replace(/\\(\n|\\|'|"|a|b|f|n|r|t|v|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3})/g, (_m, e: string) => {
      const simple = SIMPLE_ESCAPES.get(e);
      if (simple !== undefined) return simple;
      if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
      return String.fromCodePoint(parseInt(e.slice(1), 16));
    });
  }
  return s.replace(/\{\{/g, "{").replace(/\}\}/g, "}");
}

// B104, B105, B108 and B608 all dispatch on the same string nodes: compute each node's sites once.
const SITES = {};

/** The str constants a dispatched string node stands for (empty for parts handled by their parent). */
export function strSites(node: SyntaxNode, source: string): StrSite[] {
  const cache = node.tree.memoTable<StrSite[]>(SITES);
  let sites = cache.get(node.id);
  if (!sites) {
    sites = computeStrSites(node, source);
    cache.set(node.id, sites);
  }
  return sites;
}

function computeStrSites(node: SyntaxNode, source: string): StrSite[] {
  const treeParent = node.parent;
  if (node.type === "string") {
    const parentType = treeParent?.type;
    if (parentType === "concatenated_string" || parentType === "format_specifier") return [];
  }
  if (!isJoinedStr(node, source)) {
    const v = literalValue(node, source);
    if (v?.kind !== "str") return [];
    const parent = pyParentFrom(treeParent);
    if (isExprStatement(parent)) return [];
    return [{ node, value: v.value, parent }];
  }
  // A JoinedStr: collect maximal runs of literal text between interpolations.
  const parts = node.type === "concatenated_string" ? node.namedChildren.filter((c) => c.type === "string") : [node];
  const runs: { node: SyntaxNode; value: string }[] = [];
  let current: { node: SyntaxNode; value: string } | null = null;
  const append = (n: SyntaxNode, text: string) => {
    if (text === "") return;
    if (current) current.value += text;
    else current = { node: n, value: text };
  };
  for (const part of parts) {
    const tok = readStringToken(part, source);
    if (!tok.formatted) {
      append(part, tok.value ?? "");
      continue;
    }
    for (const c of part.namedChildren) {
      if (c.type === "string_content") append(c, decodeFStringText(nodeText(c, source), tok.raw));
      else if (c.type === "interpolation") {
        if (current) runs.push(current);
        current = null;
      }
    }
  }
  if (current) runs.push(current);
  const allText = runs.map((r) => r.value).join("");
  return runs.map((r, i) => ({ node: r.node, value: r.value, parent: node, joined: { node, first: i === 0, allText } }));
}

/**
 * Position a Str hit as Bandit does: the constant's own line, the parent's line range (so a
 * `# nosec` anywhere on the parent's lines applies).
 */
export function strHit(site: StrSite, hit: Omit<RuleHit, "node" | "lineNumber">): RuleHit {
  const rangeNode = site.parent && site.parent.type !== "module" ? rangeOf(site.parent) : site.node;
  const out: RuleHit = { ...hit, node: rangeNode, lineNumber: site.node.startPosition.row + 1 };
  if (rangeNode !== site.parent && rangeNode !== site.node && isParameterList(rangeNode)) out.lineRange = argumentsLines(rangeNode);
  return out;
}

function isParameterList(n: SyntaxNode): boolean {
  return n.type === "parameters" || n.type === "lambda_parameters";
}

/**
 * Bandit's `linerange` for `ast.arguments`, which has no position of its own: it walks the parts and
 * spans the first to the last *start* line among them, so the `def f(` and `):` lines of a
 * multi-line signature are outside it (a `# nosec` there does not cover a default's string).
 */
function argumentsLines(params: SyntaxNode): number[] {
  const parts = params.namedChildren.filter((c) => c.type !== "comment" && c.type !== "positional_separator" && c.type !== "keyword_separator");
  if (parts.length === 0) return [params.startPosition.row + 1];
  // The latest-starting descendant: follow last children; a string is one constant, not its pieces.
  let last = parts[parts.length - 1]!;
  while (last.type !== "string" && last.type !== "concatenated_string") {
    const kids = last.namedChildren.filter((c) => c.type !== "comment");
    if (kids.length === 0) break;
    last = kids[kids.length - 1]!;
  }
  const out: number[] = [];
  for (let l = parts[0]!.startPosition.row + 1; l <= last.startPosition.row + 1; l++) out.push(l);
  return out;
}

/** Map a tree-sitter parent to the node whose extent matches Python's parent node. */
function rangeOf(parent: SyntaxNode): SyntaxNode {
  if (parent.type === "pair") return parent.parent ?? parent; // ast.Dict
  if (parent.type === "default_parameter" || parent.type === "typed_default_parameter") return parent.parent ?? parent; // ast.arguments
  if (parent.type === "block") return parent;
  return parent;
}
