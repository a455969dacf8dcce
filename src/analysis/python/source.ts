import type { PyNode } from "./tree.js";

export type SyntaxNode = PyNode;

/**
 * Line table for one source text. Positions follow Bandit (Python's ast): 1-based line numbers and
 * 0-based column offsets counted in UTF-8 bytes. tree-sitter's Node binding reports columns in
 * UTF-16 code units, so columns are converted through the line text.
 */
export class SourceText {
  readonly text: string;
  private lineList: string[] | null = null;
  private ascii: boolean | null = null;

  constructor(text: string) {
    this.text = text;
  }

  /** Lines without their terminators; `lines[0]` is line 1. Split on first use: most modules have no finding to quote. */
  get lines(): string[] {
    return (this.lineList ??= this.text.split(/\r\n|\r|\n/));
  }

  /** Text of 1-based line `n`, or "" past the end. */
  line(n: number): string {
    return this.lines[n - 1] ?? "";
  }

  /** UTF-8 byte column for a UTF-16 column on 0-based row `row`. */
  utf8Column(row: number, utf16Column: number): number {
    // eslint-disable-next-line no-control-regex
    if ((this.ascii ??= !/[^\x00-\x7f]/.test(this.text))) return utf16Column;
    const prefix = (this.lines[row] ?? "").slice(0, utf16Column);
    return Buffer.byteLength(prefix, "utf8");
  }
}

/** Source text of a node (tree-sitter indices are UTF-16 offsets into the JS string). */
export function nodeText(node: SyntaxNode, source: SourceText | string): string {
  const text = typeof source === "string" ? source : source.text;
  return text.slice(node.startIndex, node.endIndex);
}

/** 1-based first line of a node, like Python's `node.lineno`. */
export function lineNumber(node: SyntaxNode): number {
  return node.startPosition.row + 1;
}

/** 1-based last line of a node, like Python's `node.end_lineno`. */
export function endLineNumber(node: SyntaxNode): number {
  const end = node.endPosition;
  // A node that ends right after a newline (a block) reports the next row at column 0.
  return end.column === 0 && end.row > node.startPosition.row ? end.row : end.row + 1;
}

/** Every line a node spans, as Bandit's `utils.linerange` computes it on Python 3.8+. */
export function lineRange(node: SyntaxNode): number[] {
  const first = lineNumber(node);
  const last = endLineNumber(node);
  const out: number[] = [];
  for (let l = first; l <= last; l++) out.push(l);
  return out;
}

/** Bandit's `col_offset`: UTF-8 byte offset of the node's start on its first line. */
export function colOffset(node: SyntaxNode, source: SourceText): number {
  const p = node.startPosition;
  return source.utf8Column(p.row, p.column);
}

/** Bandit's `end_col_offset`: UTF-8 byte offset of the node's end on its last line. */
export function endColOffset(node: SyntaxNode, source: SourceText): number {
  const p = node.endPosition;
  return source.utf8Column(p.row, p.column);
}
