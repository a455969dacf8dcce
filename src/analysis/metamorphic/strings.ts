/**
 * The three spellings of string formatting, rewritten into one another:
 *
 * - f-string to `.format`: `f"a{x!r:>3}"` is `"a{!r:>3}".format(x)`: the same fields, conversions
 *   and specs, the arguments evaluated once each, left to right, as the f-string evaluates them.
 * - f-string to `%`: `f"a{x}"` is `("a%s" % (x,))` where no field has a format spec (`!r` is
 *   `%r`, `!a` is `%a`); `{{`/`}}` become `{`/`}` and `%` becomes `%%`. `f"{x}"` calls
 *   `format(x, "")`, which is `str(x)` for every type that does not override `__format__`.
 * - `.format` and `%` to f-string: `"a{}".format(x)` and `"a%s" % (x,)` (a tuple literal, so the
 *   right operand is never a single value that happens to be a tuple) become `f"a{x}"` /
 *   `f"a{x!s}"`, where every field is positional, in order, used once, and each argument is a
 *   simple expression Python 3.11 accepts inside an f-string (none of the string's own quote,
 *   backslashes, braces, `:`, `!`, `#` or newlines).
 *
 * Strings in implicit concatenation ("a" f"b") and bytes are left alone.
 */
import type { SyntaxNode } from "../python/index.js";
import { applyEdits, replaceNode, type Edit } from "./edits.js";
import type { Transform } from "./types.js";

function prefixOf(s: SyntaxNode): string {
  const start = s.namedChildren.find((c) => c.type === "string_start")?.text ?? "";
  return start.replace(/["']+$/, "");
}

function quoteOf(s: SyntaxNode): string {
  const start = s.namedChildren.find((c) => c.type === "string_start")?.text ?? "";
  return start.slice(prefixOf(s).length);
}

function isFString(s: SyntaxNode): boolean {
  return /f/i.test(prefixOf(s));
}

function standalone(s: SyntaxNode): boolean {
  return s.parent?.type !== "concatenated_string" && !/b/i.test(prefixOf(s));
}

interface Field {
  expression: SyntaxNode;
  conversion: string;
  spec: string;
}

/** An f-string's literal pieces (raw source text) and fields, or null for a form we do not rewrite. */
function readFString(s: SyntaxNode): { pieces: string[]; fields: Field[] } | null {
  const start = s.namedChildren.find((c) => c.type === "string_start");
  const end = s.namedChildren.find((c) => c.type === "string_end");
  if (!start || !end) return null;
  const source = s.tree.source;
  const pieces: string[] = [];
  const fields: Field[] = [];
  let at = start.endIndex;
  for (const c of s.namedChildren) {
    if (c.type !== "interpolation") continue;
    pieces.push(source.slice(at, c.startIndex));
    at = c.endIndex;
    const expression = c.childForFieldName("expression");
    if (!expression) return null;
    // `{x=}` prints its own text; a spec with nested fields is evaluated at format time.
    if (c.children.some((k) => k.type === "=")) return null;
    const specNode = c.childForFieldName("format_specifier");
    if (specNode?.namedChildren.some((k) => k.type === "format_expression" || k.type === "interpolation")) return null;
    fields.push({ expression, conversion: c.childForFieldName("type_conversion")?.text ?? "", spec: specNode?.text ?? "" });
  }
  pieces.push(source.slice(at, end.startIndex));
  return { pieces, fields };
}

const ATOMS = new Set(["identifier", "attribute", "call", "subscript", "string", "integer", "float", "true", "false", "none", "list", "dictionary", "set", "parenthesized_expression", "tuple"]);

function argument(e: SyntaxNode): string {
  return ATOMS.has(e.type) && !e.text.includes("\n") ? e.text : `(${e.text})`;
}

/** Strings not nested inside another rewritten string's fields. */
function outermost(strings: SyntaxNode[]): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const s of strings) if (!out.some((o) => s.startIndex >= o.startIndex && s.endIndex <= o.endIndex)) out.push(s);
  return out;
}

export const fstringToFormat: Transform = (mod) => {
  const edits: Edit[] = [];
  const candidates = mod.root.descendantsOfType("string").filter((s) => isFString(s) && standalone(s));
  for (const s of outermost(candidates)) {
    const read = readFString(s);
    if (!read || read.fields.length === 0) continue;
    let body = read.pieces[0]!;
    read.fields.forEach((f, i) => (body += `{${f.conversion}${f.spec}}` + read.pieces[i + 1]!));
    const prefix = prefixOf(s).replace(/f/i, "");
    edits.push(replaceNode(s, `${prefix}${quoteOf(s)}${body}${quoteOf(s)}.format(${read.fields.map((f) => argument(f.expression)).join(", ")})`));
  }
  return edits.length ? applyEdits(mod.source, edits) : null;
};

const PERCENT_CONVERSIONS: Record<string, string> = { "": "%s", "!s": "%s", "!r": "%r", "!a": "%a" };

export const fstringToPercent: Transform = (mod) => {
  const edits: Edit[] = [];
  const candidates = mod.root.descendantsOfType("string").filter((s) => isFString(s) && standalone(s));
  for (const s of outermost(candidates)) {
    const read = readFString(s);
    if (!read || read.fields.length === 0 || read.fields.some((f) => f.spec !== "" || !(f.conversion in PERCENT_CONVERSIONS))) continue;
    const literal = (piece: string) => piece.replaceAll("%", "%%").replaceAll("{{", "{").replaceAll("}}", "}");
    let body = literal(read.pieces[0]!);
    read.fields.forEach((f, i) => (body += PERCENT_CONVERSIONS[f.conversion]! + literal(read.pieces[i + 1]!)));
    const prefix = prefixOf(s).replace(/f/i, "");
    const args = read.fields.map((f) => argument(f.expression)).join(", ");
    edits.push(replaceNode(s, `(${prefix}${quoteOf(s)}${body}${quoteOf(s)} % (${args},))`));
  }
  return edits.length ? applyEdits(mod.source, edits) : null;
};

/** An argument Python 3.11 accepts verbatim inside an f-string field. */
function embeddable(e: SyntaxNode, quote: string): boolean {
  const t = e.text;
  // Python 3.11 reads an f-string's fields up to its own quote: the other quote is fine.
  if (/[\\{}#:!\n]/.test(t) || t.includes(quote[0]!)) return false;
  return !["lambda", "named_expression", "yield", "await", "list_splat", "dictionary_splat", "conditional_expression"].includes(e.type);
}

/**
 * Splits a plain literal's body into pieces and `{}` fields for str.format: null unless every
 * field is automatic or numbered in order, with at most a conversion and a plain spec.
 */
function readFormatFields(body: string): { pieces: string[]; fields: Array<{ conversion: string; spec: string }> } | null {
  const pieces: string[] = [];
  const fields: Array<{ conversion: string; spec: string }> = [];
  let piece = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if ((ch === "{" || ch === "}") && body[i + 1] === ch) {
      piece += ch + ch;
      i++;
      continue;
    }
    if (ch === "}") return null;
    if (ch !== "{") {
      piece += ch;
      continue;
    }
    const close = body.indexOf("}", i);
    if (close < 0) return null;
    const field = body.slice(i + 1, close);
    if (field.includes("{")) return null;
    const m = /^(\d*)(![rsa])?(:[^{}]*)?$/.exec(field);
    if (!m || (m[1] !== "" && Number(m[1]) !== fields.length)) return null;
    pieces.push(piece);
    piece = "";
    fields.push({ conversion: m[2] ?? "", spec: m[3] ?? "" });
    i = close;
  }
  pieces.push(piece);
  return { pieces, fields };
}

function plainLiteral(s: SyntaxNode): { body: string; prefix: string; quote: string } | null {
  if (s.type !== "string" || isFString(s) || !standalone(s)) return null;
  if (s.namedChildren.some((c) => c.type === "interpolation")) return null;
  const start = s.namedChildren.find((c) => c.type === "string_start");
  const end = s.namedChildren.find((c) => c.type === "string_end");
  if (!start || !end) return null;
  const body = s.tree.source.slice(start.endIndex, end.startIndex);
  // \N{...} names a character: inside an f-string its braces would read as a field.
  if (/\\N\{/.test(body) && !/r/i.test(prefixOf(s))) return null;
  return { body, prefix: prefixOf(s), quote: quoteOf(s) };
}

function fstring(lit: { prefix: string; quote: string }, pieces: string[], fields: Array<{ arg: string; conversion: string; spec: string }>): string {
  let body = pieces[0]!;
  fields.forEach((f, i) => (body += `{${f.arg}${f.conversion}${f.spec}}` + pieces[i + 1]!));
  return `${lit.prefix}f${lit.quote}${body}${lit.quote}`;
}

export const formatToFstring: Transform = (mod) => {
  const edits: Edit[] = [];
  let last = -1;
  for (const call of mod.root.descendantsOfType("call")) {
    if (call.startIndex < last) continue;
    const f = call.childForFieldName("function");
    if (f?.type !== "attribute" || f.childForFieldName("attribute")?.text !== "format") continue;
    const obj = f.childForFieldName("object");
    const lit = obj && plainLiteral(obj);
    if (!lit) continue;
    const args = call.childForFieldName("arguments")?.namedChildren ?? [];
    if (args.some((a) => a.type === "comment" || !embeddable(a, lit.quote) || a.type === "keyword_argument")) continue;
    const read = readFormatFields(lit.body);
    if (!read || read.fields.length !== args.length || args.length === 0) continue;
    edits.push(replaceNode(call, fstring(lit, read.pieces, read.fields.map((x, i) => ({ arg: args[i]!.text, ...x })))));
    last = call.endIndex;
  }
  return edits.length ? applyEdits(mod.source, edits) : null;
};

/** `%s`/`%r`/`%a` fields of a printf-style literal, or null for any other conversion. */
function readPercentFields(body: string): { pieces: string[]; conversions: string[] } | null {
  const pieces: string[] = [];
  const conversions: string[] = [];
  let piece = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === "{" || ch === "}") piece += ch + ch;
    else if (ch !== "%") piece += ch;
    else {
      const next = body[i + 1];
      if (next === "%") piece += "%";
      else if (next === "s" || next === "r" || next === "a") {
        pieces.push(piece);
        piece = "";
        conversions.push(`!${next}`);
      } else return null;
      i++;
    }
  }
  pieces.push(piece);
  return { pieces, conversions };
}

export const percentToFstring: Transform = (mod) => {
  const edits: Edit[] = [];
  let last = -1;
  for (const op of mod.root.descendantsOfType("binary_operator")) {
    if (op.startIndex < last || op.childForFieldName("operator")?.text !== "%") continue;
    const left = op.childForFieldName("left");
    const right = op.childForFieldName("right");
    const lit = left && plainLiteral(left);
    if (!lit || right?.type !== "tuple") continue;
    const args = right.namedChildren;
    if (args.some((a) => a.type === "comment" || !embeddable(a, lit.quote))) continue;
    const read = readPercentFields(lit.body);
    if (!read || read.conversions.length !== args.length || args.length === 0) continue;
    // Parenthesised: the f-string replaces a `%` expression, which binds looser than what may follow.
    edits.push(replaceNode(op, fstring(lit, read.pieces, read.conversions.map((c, i) => ({ arg: args[i]!.text, conversion: c, spec: "" })))));
    last = op.endIndex;
  }
  return edits.length ? applyEdits(mod.source, edits) : null;
};
