/**
 * Source edits by range of the tree (tree-sitter offsets are UTF-16 indices into the JS string),
 * never by searching the text.
 */
import type { SyntaxNode } from "../python/index.js";

export interface Edit {
  start: number;
  end: number;
  text: string;
}

export function replaceNode(node: SyntaxNode, text: string): Edit {
  return { start: node.startIndex, end: node.endIndex, text };
}

/** Applies non-overlapping edits; throws on overlap (a transform bug, never silently mangled code). */
export function applyEdits(source: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = "";
  let at = 0;
  for (const e of sorted) {
    if (e.start < at) throw new Error(`overlapping edits at ${e.start}`);
    out += source.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + source.slice(at);
}

/** Ranges [start, end) of string literals: lines that start inside one must keep their text. */
export function stringRanges(root: SyntaxNode): Array<[number, number]> {
  return root.descendantsOfType("string").map((s) => [s.startIndex, s.endIndex] as [number, number]);
}

/**
 * Re-indents a block of source lines from `from` to `to`: each line that starts with `from` and
 * does not start inside a string literal (whose text would change) gets `to` instead. `text`
 * starts at offset `base` of the module (for the string ranges).
 */
export function reindent(text: string, base: number, from: string, to: string, strings: ReadonlyArray<[number, number]>): string {
  const lines = text.split("\n");
  let offset = base;
  const out: string[] = [];
  for (const line of lines) {
    const inString = strings.some(([s, e]) => offset > s && offset < e);
    out.push(!inString && line.startsWith(from) ? to + line.slice(from.length) : line);
    offset += line.length + 1;
  }
  return out.join("\n");
}

/** The whitespace before a node on its line (its indentation when it starts a statement). */
export function indentOf(source: string, node: SyntaxNode): string {
  const lineStart = source.lastIndexOf("\n", node.startIndex - 1) + 1;
  const prefix = source.slice(lineStart, node.startIndex);
  return /^[ \t]*$/.test(prefix) ? prefix : "";
}

/** Offset where the line holding `index` starts. */
export function lineStart(source: string, index: number): number {
  return source.lastIndexOf("\n", index - 1) + 1;
}
