import Parser from "tree-sitter";
import Python from "tree-sitter-python";
import { ImportTable } from "./imports.js";
import type { SyntaxNode } from "./source.js";
import { SourceText, lineNumber } from "./source.js";
import type { PyTree } from "./tree.js";
import { copyTree } from "./tree.js";
import { mayNeedRespelling, respellIdentifiers } from "./identifiers.js";
import { invalidPython3Forms } from "./py3-syntax.js";
import { walkTypes } from "./walk.js";
import { budgetClock, nativeTree, parseBudgetSeconds, unparsedTree } from "./native-tree.js";

/** Where tree-sitter found a syntax error. Lines are 1-based, columns 0-based (UTF-16 units). */
export interface SyntaxErrorRange {
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  message: string;
}

/** A parsed Python module: the shared IR every analysis (rules, CFG/SSA, taint) starts from. */
export interface ParsedModule {
  /**
   * Source text as analysed: as given, less a leading BOM, with lone CRs read as LF (same offsets),
   * and with identifiers in the NFKC form Python reads them in (identifiers.ts; lines are kept,
   * columns after a respelt name shift).
   */
  source: string;
  /** Display name (path or "<string>"). */
  filename: string;
  tree: PyTree;
  root: SyntaxNode;
  /** Source lines, `lines[0]` is line 1. */
  lines: string[];
  /** Line table and UTF-8 column conversion. */
  text: SourceText;
  /** True when Python would reject the file (see `syntaxErrors`). */
  hasErrors: boolean;
  errorRanges: SyntaxErrorRange[];
  imports: ImportTable;
}

// One parser for the whole process: creating one costs far more than a parse of a typical sample.
let sharedParser: Parser | null = null;
function parser(): Parser {
  if (!sharedParser) {
    sharedParser = new Parser();
    sharedParser.setLanguage(Python as unknown as Parser.Language);
  }
  return sharedParser;
}

// Python 2 statements that tree-sitter-python still accepts but Python 3's parser rejects.
const PY2_ONLY = new Set(["print_statement", "exec_statement"]);

/**
 * Whether a statement tree-sitter read as Python 2 `print`/`exec` is also a Python 3 expression
 * statement in which the keyword is a plain name: `print >>f, x` is a shift and a tuple to Python
 * 3, valid syntax. Decided by parsing the statement again with the name spelt differently.
 */
function readsAsPython3(node: SyntaxNode, source: string): boolean {
  const keyword = node.type === "print_statement" ? "print" : "exec";
  const text = source.slice(node.startIndex, node.endIndex);
  if (!text.startsWith(keyword)) return false;
  const native = parser().parse(keyword.toUpperCase() + text.slice(keyword.length), null, { bufferSize: Math.max(32 * 1024, text.length * 2 + 16) });
  try {
    return !native.rootNode.hasError;
  } finally {
    (native as unknown as { delete?: () => void }).delete?.();
  }
}

/**
 * Syntax errors as Python 3 would see them, approximated from the tree: ERROR and MISSING nodes,
 * Python 2 `print`/`exec` statements, the other forms `invalidPython3Forms` knows, and NUL bytes.
 * tree-sitter accepts a few other things that CPython rejects (e.g. assigning to a literal);
 * docs/rules.md lists the known gaps.
 */
function findSyntaxErrors(root: SyntaxNode, source: string): SyntaxErrorRange[] {
  const errors: SyntaxErrorRange[] = [];
  const nul = source.indexOf("\0");
  if (nul >= 0) {
    const line = source.slice(0, nul).split("\n").length;
    errors.push({ line, col: 0, endLine: line, endCol: 0, message: "source code cannot contain null bytes" });
  }
  const report = (node: SyntaxNode, message: string) =>
    errors.push({ line: lineNumber(node), col: node.startPosition.column, endLine: node.endPosition.row + 1, endCol: node.endPosition.column, message });
  if (root.hasError) {
    // Descend only into subtrees that contain an error; MISSING tokens are often anonymous nodes.
    const stack: SyntaxNode[] = [root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.type === "ERROR") {
        report(node, "invalid syntax");
        continue;
      }
      if (node.isMissing) {
        report(node, `missing ${JSON.stringify(node.type)}`);
        continue;
      }
      for (let i = node.childCount - 1; i >= 0; i--) {
        const c = node.child(i);
        if (c && (c.hasError || c.isMissing)) stack.push(c);
      }
    }
    if (errors.length === 0) report(root, "invalid syntax");
  }
  // Only a name followed by something other than "(" can start a Python 2 statement: skip the
  // extra tree search for the usual print(...) calls.
  if (/\b(print|exec)\b[ \t]*[^\s(=.,)\]:;#]/.test(source)) {
    walkTypes(root, PY2_ONLY, (node) => {
      if (!readsAsPython3(node, source)) report(node, `Python 2 ${node.type.replace("_statement", "")} statement`);
    });
  }
  for (const { node, message } of invalidPython3Forms(root, source)) report(node, message);
  errors.sort((a, b) => a.line - b.line || a.col - b.col);
  return errors;
}

/**
 * tree-sitter's tree for `source`: exported by our addon when it is built (native-tree.ts), else
 * copied out of the Node binding's tree (which is freed at once).
 */
function parseTree(source: string): PyTree | "budget" {
  const exported = nativeTree(source, Python as unknown as Parser.Language);
  if (exported !== null) return exported;
  // The Node binding cannot take strings over its default buffer in one piece; a generous
  // bufferSize makes large files (10 MB) parse in one call.
  const native = parser().parse(source, null, { bufferSize: Math.max(32 * 1024, source.length * 2 + 16) });
  try {
    return copyTree(native, source, Python as unknown as Parser.Language);
  } finally {
    // The copy is all anyone reads; free the native tree now rather than at some later GC.
    (native as unknown as { delete?: () => void }).delete?.();
  }
}

/** The clock of analysis time budgets (native-tree.ts): this thread's CPU time where it can be read. */
export function analysisClock(): { now: () => number; cpu: boolean } {
  return budgetClock(Python as unknown as Parser.Language);
}

/** Parse Python source with tree-sitter (shared native parser). Never throws on bad code. */
export function parsePython(input: string, filename = "<string>"): ParsedModule {
  // Python reads a leading BOM as an encoding mark and a lone CR as a newline; tree-sitter does
  // neither. Replacing CR by LF keeps every offset; the BOM is dropped before anything is measured.
  let source = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (source.includes("\r")) source = source.replace(/\r(?!\n)/g, "\n");
  const parsed = parseTree(source);
  if (parsed === "budget") return unparsedModule(source, filename);
  let tree = parsed;
  let errorRanges = findSyntaxErrors(tree.rootNode, source);
  if (mayNeedRespelling(source)) {
    // Identifiers as Python reads them (identifiers.ts). A respelling that would turn a file we
    // accept into one we reject is not taken: it is tried again without the keyword-like names,
    // then given up.
    for (const keywordLike of [true, false]) {
      const respelt = respellIdentifiers(tree.rootNode, source, keywordLike);
      if (respelt === null) break;
      const respeltTree = parseTree(respelt);
      if (respeltTree === "budget") break;
      const respeltErrors = findSyntaxErrors(respeltTree.rootNode, respelt);
      if (respeltErrors.length > 0 && errorRanges.length === 0) continue;
      source = respelt;
      tree = respeltTree;
      errorRanges = respeltErrors;
      break;
    }
  }
  return moduleOf(source, filename, tree, errorRanges);
}

/** A file whose parse was given up (native-tree.ts, parseBudgetSeconds): one error over all of it. */
function unparsedModule(source: string, filename: string): ParsedModule {
  const text = new SourceText(source);
  const last = text.lines.length;
  const message = `not parsed: tree-sitter's parse took over ${parseBudgetSeconds(source.length).toFixed(1)} s of CPU on this file and was given up`;
  return moduleOf(source, filename, unparsedTree(source), [{ line: 1, col: 0, endLine: last, endCol: text.lines[last - 1]?.length ?? 0, message }], text);
}

function moduleOf(source: string, filename: string, tree: PyTree, errorRanges: SyntaxErrorRange[], text = new SourceText(source)): ParsedModule {
  const root = tree.rootNode;
  return {
    source,
    filename,
    tree,
    root,
    get lines() {
      return text.lines;
    },
    text,
    hasErrors: errorRanges.length > 0,
    errorRanges,
    imports: ImportTable.build(root, source),
  };
}
