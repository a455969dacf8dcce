import { compileErrors } from "./compile-checks.js";
import type { SyntaxNode } from "./source.js";

/**
 * Forms tree-sitter-python accepts (it also reads Python 2) that CPython 3 rejects. Bandit parses
 * with Python 3's `ast`, so a file holding any of them is a syntax error there: reported under
 * `errors` and not scanned. Each check runs only when a cheap text test says the form can occur.
 */
export interface InvalidForm {
  node: SyntaxNode;
  message: string;
}

// Python 3.11's string prefixes, case-insensitive.
const STRING_PREFIXES = new Set(["", "r", "u", "b", "br", "rb", "f", "fr", "rf"]);
const PREFIX_AND_QUOTE = /^([A-Za-z]*)("""|'''|"|')$/;
// A decimal integer with a leading zero that is not all zeros (Python 2 octal): 0777, 0_1.
const LEGACY_OCTAL = /^0[0-9_]*[1-9][0-9_]*$/;

export function invalidPython3Forms(root: SyntaxNode, source: string): InvalidForm[] {
  const out: InvalidForm[] = [];
  const report = (node: SyntaxNode, message: string) => out.push({ node, message });

  if (/\b0[0-9_]*[1-9]|[0-9a-fA-F][lL]\b/.test(source)) {
    for (const n of root.descendantsOfType("integer")) {
      const text = n.text;
      if (/[lL]$/.test(text)) report(n, "Python 2 long integer literal");
      else if (LEGACY_OCTAL.test(text)) report(n, "leading zeros in decimal integer literals are not permitted");
    }
  }
  if (source.includes("<>")) {
    for (const n of root.descendantsOfType("comparison_operator")) if (n.children.some((c) => !c.isNamed && c.type === "<>")) report(n, "Python 2 '<>' operator");
  }
  if (/\bexcept\b[^:\n]*,/.test(source)) {
    for (const n of root.descendantsOfType("except_clause")) if (n.children.some((c) => !c.isNamed && c.type === ",")) report(n, "Python 2 'except X, name' clause");
  }
  if (/\braise\b[^\n]*,/.test(source)) {
    for (const n of root.descendantsOfType("raise_statement")) if (n.namedChildren.some((c) => c.type === "expression_list")) report(n, "Python 2 'raise E, value' statement");
  }
  if (/[A-Za-z]["']|`/.test(source)) {
    for (const n of root.descendantsOfType("string_start")) {
      const m = PREFIX_AND_QUOTE.exec(n.text);
      if (!m || !STRING_PREFIXES.has(m[1]!.toLowerCase())) report(n, m ? `invalid string prefix ${JSON.stringify(m[1])}` : "Python 2 backquote expression");
    }
  }
  for (const n of root.descendantsOfType(PARAMETER_LISTS)) {
    const bad = parameterListError(n);
    if (bad) report(bad.node, bad.message);
  }
  // A body that is missing or holds only comments (tree-sitter gives an empty block at the end of
  // the file).
  for (const n of root.descendantsOfType("block")) if (!n.namedChildren.some((c) => c.type !== "comment")) report(n, "expected an indented block");
  // Python 2 let a comprehension iterate over a bare tuple (`[x for x in 1, 2]`).
  for (const n of root.descendantsOfType("for_in_clause")) if (n.children.some((c) => !c.isNamed && c.type === ",")) report(n, "comprehension iterable must be parenthesized");
  if (source.includes("del")) {
    for (const n of root.descendantsOfType("delete_statement")) {
      const bad = undeletable(n);
      if (bad) report(bad, `cannot delete ${bad.type.replace(/_/g, " ")}`);
    }
  }
  if (source.includes("=") || source.includes("**")) {
    for (const n of root.descendantsOfType("argument_list")) {
      const bad = argumentOrderError(n);
      if (bad) report(bad.node, bad.message);
    }
  }
  const indentation = indentationError(root, source);
  if (indentation) report(indentation.node, indentation.message);
  out.push(...compileErrors(root, source));
  return out;
}

const PARAMETER_LISTS = ["parameters", "lambda_parameters"];
const CLAUSES = ["elif_clause", "else_clause", "except_clause", "except_group_clause", "finally_clause", "case_clause"];
const STATEMENT_PARENT_TYPES = ["module", "block", "decorated_definition"];

/**
 * Python 3's tokenizer on indentation: each logical line's indent is measured twice, with tabs to
 * multiples of 8 and with tabs as 1 column, and both measures must order the line the same way
 * against the enclosing indents (else TabError, which Python 2 allowed); a dedent must return to
 * an enclosing indent. Logical lines are found from the tree: a statement or clause that starts at
 * its line's first non-blank character (continuation lines and string bodies never do).
 */
function indentationError(root: SyntaxNode, source: string): InvalidForm | null {
  const starts = new Map<number, SyntaxNode>();
  const consider = (n: SyntaxNode) => {
    const at = n.startIndex;
    const lineStart = source.lastIndexOf("\n", at - 1) + 1;
    if (starts.has(lineStart)) return;
    for (let i = lineStart; i < at; i++) {
      const ch = source.charCodeAt(i);
      if (ch !== 32 && ch !== 9 && ch !== 12) return; // not the line's first token
    }
    starts.set(lineStart, n);
  };
  for (const parent of root.descendantsOfType(STATEMENT_PARENT_TYPES)) for (const c of parent.namedChildren) if (c.type !== "comment" && c.type !== "block") consider(c);
  for (const clause of root.descendantsOfType(CLAUSES)) consider(clause);
  const cols = [0];
  const altCols = [0];
  for (const lineStart of [...starts.keys()].sort((a, b) => a - b)) {
    let col = 0;
    let alt = 0;
    for (let i = lineStart; ; i++) {
      const ch = source[i];
      if (ch === " ") {
        col++;
        alt++;
      } else if (ch === "\t") {
        col = (Math.floor(col / 8) + 1) * 8;
        alt++;
      } else if (ch === "\f") {
        col = 0;
        alt = 0;
      } else break;
    }
    const node = starts.get(lineStart)!;
    const top = cols.length - 1;
    if (col === cols[top]) {
      if (alt !== altCols[top]) return { node, message: "inconsistent use of tabs and spaces in indentation" };
    } else if (col > cols[top]!) {
      if (alt <= altCols[top]!) return { node, message: "inconsistent use of tabs and spaces in indentation" };
      cols.push(col);
      altCols.push(alt);
    } else {
      while (cols.length > 1 && col < cols[cols.length - 1]!) {
        cols.pop();
        altCols.pop();
      }
      if (col !== cols[cols.length - 1]) return { node, message: "unindent does not match any outer indentation level" };
      if (alt !== altCols[altCols.length - 1]) return { node, message: "inconsistent use of tabs and spaces in indentation" };
    }
  }
  return null;
}

/** What a parameter is to Python, whatever tree-sitter's node (`*args: T` is a typed_parameter). */
export type ParameterKind = "plain" | "default" | "star" | "bare-star" | "double-star" | "slash" | "other";

export function parameterKind(p: SyntaxNode): ParameterKind {
  switch (p.type) {
    case "identifier":
      return "plain";
    case "typed_parameter": {
      // The annotation is the `type` child; what is annotated decides the kind.
      const inner = p.namedChildren.find((c) => c.type !== "type" && c.type !== "comment");
      return inner ? parameterKind(inner) : "plain";
    }
    case "default_parameter":
    case "typed_default_parameter":
      return "default";
    case "list_splat_pattern":
      return "star";
    case "keyword_separator":
      return "bare-star";
    case "dictionary_splat_pattern":
      return "double-star";
    case "positional_separator":
      return "slash";
    default:
      return "other"; // comments, and whatever an error leaves
  }
}

/** The parameter-list rules CPython's grammar enforces, the first one broken (or null). */
function parameterListError(params: SyntaxNode): InvalidForm | null {
  const list = params.namedChildren.filter((c) => c.type !== "comment");
  let seenDefault = false;
  let seenStar = false;
  let seenSlash = false;
  for (let i = 0; i < list.length; i++) {
    const p = list[i]!;
    const kind = parameterKind(p);
    if (i > 0 && parameterKind(list[i - 1]!) === "double-star") return { node: p, message: "arguments cannot follow var-keyword argument" };
    switch (kind) {
      case "default":
        seenDefault = true;
        break;
      case "plain":
        // Keyword-only parameters (after `*`) may go without defaults.
        if (seenDefault && !seenStar) return { node: p, message: "non-default argument follows default argument" };
        break;
      case "star":
      case "bare-star":
        if (seenStar) return { node: p, message: "* argument may appear only once" };
        seenStar = true;
        if (kind === "bare-star") {
          const next = list[i + 1];
          if (!next || parameterKind(next) === "double-star") return { node: p, message: "named arguments must follow bare *" };
        }
        break;
      case "slash":
        if (seenSlash) return { node: p, message: "/ may appear only once" };
        if (seenStar) return { node: p, message: "/ must be ahead of *" };
        if (i === 0) return { node: p, message: "at least one argument must precede /" };
        seenSlash = true;
        break;
      default:
        break;
    }
  }
  return null;
}

const DELETABLE = new Set(["identifier", "attribute", "subscript"]);
const DELETE_GROUPS = new Set(["expression_list", "tuple", "list", "parenthesized_expression", "pattern_list", "tuple_pattern", "list_pattern"]);

/** The first `del` target Python cannot delete (a call, a literal, an operator expression), if any. */
function undeletable(statement: SyntaxNode): SyntaxNode | null {
  const stack = statement.namedChildren.filter((c) => c.type !== "comment");
  while (stack.length > 0) {
    const t = stack.shift()!;
    if (DELETABLE.has(t.type)) continue;
    if (DELETE_GROUPS.has(t.type)) {
      stack.unshift(...t.namedChildren.filter((c) => c.type !== "comment"));
      continue;
    }
    return t;
  }
  return null;
}

/** Python's call argument order: no positional after keywords, nothing positional after `**`. */
function argumentOrderError(args: SyntaxNode): InvalidForm | null {
  let seenKeyword = false;
  let seenDoubleStar = false;
  for (const a of args.namedChildren) {
    switch (a.type) {
      case "comment":
        break;
      case "keyword_argument":
        seenKeyword = true;
        break;
      case "dictionary_splat":
        seenDoubleStar = true;
        break;
      case "list_splat":
        if (seenDoubleStar) return { node: a, message: "iterable argument unpacking follows keyword argument unpacking" };
        break;
      default:
        if (seenDoubleStar) return { node: a, message: "positional argument follows keyword argument unpacking" };
        if (seenKeyword) return { node: a, message: "positional argument follows keyword argument" };
    }
  }
  return null;
}
