/**
 * Quote context: checks that a value holds no quote character, and templates that place such a
 * value between two of those quote characters.
 *
 * A value that holds no `'` and sits between two `'` of the fixed text of a query cannot end the
 * string literal it is in, so it cannot change the structure of the query around it. Two halves:
 *
 * - the guard (`quoteAbsence`): `"'" in v` failing, `"'" not in v`, `v.count("'") == 0` and
 *   `v.find("'") == -1` mark the facts of `v` with NO_APOSTROPHE_BIT (NO_QUOTE_BIT for `"`). The
 *   mark is a property of the exact text, so it is kept only while the value is passed on as is or
 *   through operations that add no quote (`keepQuoteMarks`); any other expression drops it.
 * - the template (`slotContexts`, `clearQuoted`): an f-string, `%`, `.format` or `+` chain whose
 *   fixed text opens a literal with Q right before a fill value and closes it right after clears
 *   the quote-sensitive classes for the facts of that value that carry the mark for Q.
 *
 * Quote-sensitive classes, and why:
 * - XPath: XPath string literals have no escapes; only the delimiter ends one.
 * - SQL: only the delimiter ends a literal, except that MySQL and PostgreSQL E'' strings read a
 *   trailing backslash as escaping it; the literal then runs into the fixed text up to the next
 *   delimiter, which turns a later fill value's literal inside out. So SQL is cleared only when no
 *   tainted value comes earlier in the same template.
 * - code injection: a Python string literal holds no code, unless the literal is an f-string (a
 *   letter right before the opening delimiter); so not when the delimiter is prefixed.
 * Not quote-sensitive: LDAP filters (values are not quoted at all: `*`, `(`, `)` and `\` matter),
 * HTML (a quoted attribute value can still be a `javascript:` URL or sit in a script), OS commands
 * (inside double quotes `$(...)` and backticks still expand), headers (line breaks matter).
 *
 * `quotedLiteralChecks` is the second family: `v.startswith(Q)`, `v.endswith(Q)` and no Q in
 * `v[1:-1]` all holding mean `v` is exactly one Python string literal, so eval/exec of it
 * evaluates to a string (or raises SyntaxError) and runs nothing: validated for code injection.
 */
import type { SyntaxNode } from "../python/cfg.js";
import { decodeEscapes } from "../python/literals.js";
import { unparen, type FunctionInfo } from "./context.js";
import { clear, mark, union, unclear, type Taint } from "./facts.js";
import { CLASS_BIT, NO_APOSTROPHE_BIT, NO_QUOTE_BIT } from "./models/index.js";

export type Quote = "'" | '"';
export const QUOTE_MARK: Readonly<Record<Quote, number>> = { "'": NO_APOSTROPHE_BIT, '"': NO_QUOTE_BIT };
export const QUOTE_MARKS = NO_APOSTROPHE_BIT | NO_QUOTE_BIT;

/** Resolves an expression to the string constant it is, or null. */
export type LiteralOf = (n: SyntaxNode | undefined) => string | null;

/** A fill value's place: inside a literal delimited by `quote`; `prefixed` when a letter, digit or `_` touches the opening delimiter. */
export interface QuoteSlot {
  quote: Quote;
  prefixed: boolean;
}

/** A template as pieces: fixed (decoded) text, or null for a fill value. */
export type Piece = string | null;

function isQuote(ch: string | undefined): ch is Quote {
  return ch === "'" || ch === '"';
}

/**
 * For each fill value of a template, in order, the literal it sits in: the fixed text right before
 * it opens a literal (the delimiter and the value with no other value between) and the fixed text
 * right after it holds the closing delimiter. Text is read as a lexer with only the two delimiters
 * would (inside a literal, only its own delimiter ends it); fixed text with a backslash gives up.
 */
export function slotContexts(pieces: readonly Piece[]): (QuoteSlot | null)[] {
  const out: (QuoteSlot | null)[] = [];
  const giveUp = pieces.some((p) => p !== null && p.includes("\\"));
  let open: Quote | null = null;
  // Where the currently open literal was opened: the piece index and the character before it.
  let openedIn = -1;
  let before: string | undefined;
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i] ?? null;
    if (p === null) {
      const next = pieces[i + 1];
      const inside = !giveUp && open !== null && openedIn === i - 1 && typeof next === "string" && next.includes(open);
      // An opening delimiter at the very start of a piece that follows a value: what touches it is unknown.
      const prefixed = before === undefined ? openedIn > 0 && pieces[openedIn - 1] === null : /\w/.test(before);
      out.push(inside ? { quote: open!, prefixed } : null);
      continue;
    }
    for (let j = 0; j < p.length; j++) {
      const ch = p[j];
      if (open === null && isQuote(ch)) {
        open = ch;
        openedIn = i;
        before = j > 0 ? p[j - 1] : undefined;
      } else if (open !== null && ch === open) open = null;
    }
  }
  return out;
}

/** The decoded fixed text of an f-string's `string_content` child (`{{` is one brace). */
export function contentText(content: SyntaxNode, raw: boolean): string {
  const t = content.text.replace(/\{\{/g, "{").replace(/\}\}/g, "}");
  return raw ? t : decodeEscapes(t, false);
}

/** Whether an f-string interpolation inserts its expression's value as is (no `!r`, format spec or `=`). */
export function plainInterpolation(interp: SyntaxNode): boolean {
  return interp.namedChildren.length === 1 && !interp.children.some((c) => c.type === "=");
}

/**
 * The facts of `t` that carry the mark for the slot's quote, cleared for the quote-sensitive
 * classes; `earlierTainted` when a tainted value comes before this one in the template.
 */
export function clearQuoted(t: Taint, slot: QuoteSlot | null | undefined, earlierTainted: boolean): Taint {
  if (!slot || t.length === 0) return t;
  const bit = QUOTE_MARK[slot.quote];
  if (!t.some((f) => f.cleared & bit)) return t;
  let mask = CLASS_BIT["xpath-injection"];
  if (!slot.prefixed) mask |= CLASS_BIT["code-injection"];
  if (!earlierTainted) mask |= CLASS_BIT["sql-injection"];
  return union(
    t.filter((f) => !(f.cleared & bit)),
    clear(
      t.filter((f) => f.cleared & bit),
      mask,
    ),
  );
}

/** Methods whose result holds no quote the receiver did not hold. */
const QUOTE_PRESERVING = new Set(["strip", "lstrip", "rstrip", "lower", "upper", "casefold", "title", "capitalize", "swapcase"]);

/**
 * The taint of expression `node` with the quote marks it still deserves: all of them for a name
 * (the same text), those of the receiver for methods that add no quote, and for
 * `v.replace(A, B)` with literal A and B those B does not hold, plus A's own when A is one quote.
 */
export function keepQuoteMarks(node: SyntaxNode, t: Taint, literal: LiteralOf, args: (call: SyntaxNode) => { positional: SyntaxNode[]; keywords: Map<string, SyntaxNode> }): Taint {
  if (t.length === 0 || node.type === "identifier" || node.type === "parenthesized_expression") return t;
  const fnNode = node.type === "call" ? node.childForFieldName("function") : null;
  if (!fnNode && !t.some((f) => f.cleared & QUOTE_MARKS)) return t;
  if (fnNode?.type === "attribute") {
    const method = fnNode.childForFieldName("attribute")!.text;
    const a = args(node);
    if (QUOTE_PRESERVING.has(method) && a.keywords.size === 0 && a.positional.length <= 1) return t;
    if (method === "replace" && a.positional.length === 2 && a.keywords.size === 0) {
      const from = literal(a.positional[0]);
      const to = literal(a.positional[1]);
      if (from !== null && to !== null && from.length) {
        let kept = 0;
        let added = 0;
        for (const q of ["'", '"'] as const) {
          if (to.includes(q)) continue;
          kept |= QUOTE_MARK[q];
          if (from === q) added |= QUOTE_MARK[q];
        }
        let out = unclear(t, QUOTE_MARKS & ~kept);
        for (const q of ["'", '"'] as const) if (added & QUOTE_MARK[q]) out = mark(out, QUOTE_MARK[q]);
        return out;
      }
    }
  }
  return unclear(t, QUOTE_MARKS);
}

/**
 * The name a quote check names: a variable only (never what it views: a hostname holding no quote
 * says nothing of its URL). The marks live only as long as reads of that name (keepQuoteMarks).
 */
function checkedName(n: SyntaxNode): string | null {
  const u = unparen(n);
  return u.type === "identifier" ? u.text : null;
}

function intOf(n: SyntaxNode): number | null {
  const u = unparen(n);
  if (u.type === "integer") return Number(u.text);
  if (u.type === "unary_operator" && u.text.replace(/\s/g, "") === "-1") return -1;
  return null;
}

/** `v.count(Q)` / `v.find(Q)`: the receiver and the quote, or null. */
function quoteCall(n: SyntaxNode, literal: LiteralOf, method: "count" | "find"): { recv: SyntaxNode; quote: Quote } | null {
  const u = unparen(n);
  const f = u.type === "call" ? u.childForFieldName("function") : null;
  if (f?.type !== "attribute" || f.childForFieldName("attribute")!.text !== method) return null;
  const args = u.childForFieldName("arguments")?.namedChildren ?? [];
  const lit = args.length === 1 ? literal(args[0]) : null;
  return isQuote(lit ?? "") ? { recv: unparen(f.childForFieldName("object")!), quote: lit as Quote } : null;
}

/**
 * What a comparison establishes about quotes when it evaluates to `truth`: for `Q in v`,
 * `v.count(Q) == 0` and `v.find(Q) == -1`, the expression known to hold no Q and the quote.
 */
function absenceAtom(c: SyntaxNode, truth: boolean, literal: LiteralOf): { value: SyntaxNode; quote: Quote } | null {
  if (c.type !== "comparison_operator" || c.namedChildren.length !== 2) return null;
  const op = c.children.filter((x) => !x.isNamed).map((x) => x.text).join(" ");
  const [a, b] = c.namedChildren as [SyntaxNode, SyntaxNode];
  if ((op === "in" && !truth) || (op === "not in" && truth)) {
    const lit = literal(a);
    return isQuote(lit ?? "") ? { value: unparen(b), quote: lit as Quote } : null;
  }
  const equal = (op === "==" && truth) || (op === "!=" && !truth);
  if (!equal) return null;
  for (const [x, y] of [
    [a, b],
    [b, a],
  ] as const) {
    const n = intOf(y);
    const counted = n === 0 ? quoteCall(x, literal, "count") : n === -1 ? quoteCall(x, literal, "find") : null;
    if (counted) return { value: counted.recv, quote: counted.quote };
  }
  return null;
}

/** Names a comparison proves free of a quote when it evaluates to `truth`, with the marks. */
export function quoteAbsence(c: SyntaxNode, truth: boolean, literal: LiteralOf): Map<string, number> {
  const out = new Map<string, number>();
  const atom = absenceAtom(c, truth, literal);
  const name = atom ? checkedName(atom.value) : null;
  if (atom && name) out.set(name, QUOTE_MARK[atom.quote]);
  return out;
}

/** The comparisons and calls that all hold when `c` evaluates to `truth` (through not/and/or). */
function heldAtoms(c: SyntaxNode, truth: boolean, out: { node: SyntaxNode; truth: boolean }[], depth = 0): void {
  if (depth > 50) return;
  const u = unparen(c);
  if (u.type === "not_operator") {
    const arg = u.childForFieldName("argument");
    if (arg) heldAtoms(arg, !truth, out, depth + 1);
  } else if (u.type === "boolean_operator") {
    if ((u.childForFieldName("operator")?.text === "and") !== truth) return;
    heldAtoms(u.childForFieldName("left")!, truth, out, depth + 1);
    heldAtoms(u.childForFieldName("right")!, truth, out, depth + 1);
  } else out.push({ node: u, truth });
}

/** `v[1:-1]` (or `v[1:len(v)-1]`): the name `v`, or null. */
function innerOf(n: SyntaxNode): string | null {
  const u = unparen(n);
  if (u.type !== "subscript") return null;
  const v = unparen(u.childForFieldName("value")!);
  const idx = u.childrenForFieldName("subscript");
  if (v.type !== "identifier" || idx.length !== 1) return null;
  const s = idx[0]!.text.replace(/\s/g, "");
  return s === "1:-1" || s === `1:len(${v.text})-1` ? v.text : null;
}

/** `v.startswith(Q)` / `v.endswith(Q)` / `v[0] == Q` / `v[-1] == Q` holding: the end, name and quote. */
function endAtom(c: SyntaxNode, truth: boolean, literal: LiteralOf): { end: "start" | "end"; name: string; quote: Quote } | null {
  if (c.type === "call" && truth) {
    const f = c.childForFieldName("function");
    const m = f?.type === "attribute" ? f.childForFieldName("attribute")!.text : null;
    const recv = f?.type === "attribute" ? unparen(f.childForFieldName("object")!) : null;
    const args = c.childForFieldName("arguments")?.namedChildren ?? [];
    const lit = args.length === 1 ? literal(args[0]) : null;
    if ((m === "startswith" || m === "endswith") && recv?.type === "identifier" && isQuote(lit ?? "")) return { end: m === "startswith" ? "start" : "end", name: recv.text, quote: lit as Quote };
    return null;
  }
  if (c.type !== "comparison_operator" || c.namedChildren.length !== 2) return null;
  const op = c.children.filter((x) => !x.isNamed).map((x) => x.text).join(" ");
  if (!((op === "==" && truth) || (op === "!=" && !truth))) return null;
  for (const [x, y] of [c.namedChildren, [...c.namedChildren].reverse()] as SyntaxNode[][]) {
    const s = unparen(x!);
    const lit = literal(y);
    const v = s.type === "subscript" ? unparen(s.childForFieldName("value")!) : null;
    const idx = s.type === "subscript" ? s.childrenForFieldName("subscript") : [];
    if (!v || v.type !== "identifier" || idx.length !== 1 || !isQuote(lit ?? "")) continue;
    const i = intOf(idx[0]!);
    if (i === 0 || i === -1) return { end: i === 0 ? "start" : "end", name: v.text, quote: lit as Quote };
  }
  return null;
}

/**
 * Names that `c` evaluating to `truth` proves to be one Python string literal: delimited by Q at
 * both ends with no Q between (validated for code injection).
 */
export function quotedLiteralChecks(c: SyntaxNode, truth: boolean, literal: LiteralOf): Map<string, number> {
  const out = new Map<string, number>();
  const atoms: { node: SyntaxNode; truth: boolean }[] = [];
  heldAtoms(c, truth, atoms);
  if (atoms.length < 3) return out;
  const seen = new Map<string, Set<string>>();
  const note = (name: string, what: string): void => {
    if (!seen.has(name)) seen.set(name, new Set());
    seen.get(name)!.add(what);
  };
  for (const a of atoms) {
    const end = endAtom(a.node, a.truth, literal);
    if (end) note(end.name, `${end.end}${end.quote}`);
    const absent = absenceAtom(a.node, a.truth, literal);
    const inner = absent ? innerOf(absent.value) : null;
    if (absent && inner) note(inner, `inner${absent.quote}`);
  }
  for (const [name, facts] of seen) for (const q of ["'", '"']) if (facts.has(`start${q}`) && facts.has(`end${q}`) && facts.has(`inner${q}`)) out.set(name, CLASS_BIT["code-injection"]);
  return out;
}

// ------------------------------------------------------------------ the four template spellings

/** The quote context of each interpolation of an f-string, in order. */
export function fstringSlots(node: SyntaxNode): (QuoteSlot | null)[] {
  const start = node.children.find((c) => c.type === "string_start")?.text ?? "";
  const raw = /r/i.test(start.replace(/['"]/g, ""));
  const pieces: Piece[] = [];
  for (const c of node.namedChildren) {
    if (c.type === "string_content") {
      const s = contentText(c, raw);
      const last = pieces.length - 1;
      if (last >= 0 && pieces[last] !== null) pieces[last] += s;
      else pieces.push(s);
    } else if (c.type === "interpolation") pieces.push(null);
  }
  return slotContexts(pieces);
}

/**
 * `lit.format(*pos, **kw)`: the arguments with their quoted facts cleared. An argument is cleared
 * only when it fills exactly one plain field (`{}`, `{0}`, `{name}`); a field with a conversion,
 * format spec or item access is a value of unknown text and counts as tainted for what follows.
 */
export function formatQuoted(lit: string, pos: Taint[], kw: Map<string, Taint>): { pos: Taint[]; kw: Map<string, Taint> } {
  const pieces: Piece[] = [];
  const refs: (number | string | null)[] = [];
  let text = "";
  let auto = 0;
  for (let i = 0; i < lit.length; i++) {
    const ch = lit[i]!;
    if ((ch === "{" || ch === "}") && lit[i + 1] === ch) {
      text += ch;
      i++;
      continue;
    }
    if (ch !== "{") {
      text += ch;
      continue;
    }
    const close = lit.indexOf("}", i);
    if (close < 0) return { pos, kw };
    const field = lit.slice(i + 1, close);
    pieces.push(text, null);
    text = "";
    refs.push(field === "" ? auto++ : /^\d+$/.test(field) ? Number(field) : /^[A-Za-z_]\w*$/.test(field) ? field : null);
    i = close;
  }
  pieces.push(text);
  const slots = slotContexts(pieces);
  const uses = new Map<number | string, number>();
  for (const r of refs) if (r !== null) uses.set(r, (uses.get(r) ?? 0) + 1);
  const taintOf = (r: number | string | null): Taint | undefined => (r === null ? undefined : typeof r === "number" ? pos[r] : kw.get(r));
  const outPos = [...pos];
  const outKw = new Map(kw);
  let earlier = false;
  refs.forEach((r, k) => {
    const t = taintOf(r);
    if (r !== null && t && uses.get(r) === 1) {
      const cleared = clearQuoted(t, slots[k], earlier);
      if (typeof r === "number") outPos[r] = cleared;
      else outKw.set(r, cleared);
    }
    if (r === null || (t?.length ?? 0) > 0) earlier = true;
  });
  return { pos: outPos, kw: outKw };
}

/**
 * `lit % parts`: the parts with their quoted facts cleared. Only `%s` inserts a value's text as is;
 * a mapping key or `*` width gives up (the parts do not line up with the fields).
 */
export function percentQuoted(lit: string, parts: Taint[]): Taint[] {
  const pieces: Piece[] = [];
  const plain: boolean[] = [];
  let text = "";
  const spec = /^%([-#0 +]*)(\d+)?(\.\d+)?([diouxXeEfFgGcrsa%])/;
  for (let i = 0; i < lit.length; i++) {
    if (lit[i] !== "%") {
      text += lit[i];
      continue;
    }
    if (lit[i + 1] === "(" || lit[i + 1] === "*") return parts;
    const m = spec.exec(lit.slice(i));
    if (!m) return parts;
    i += m[0].length - 1;
    if (m[4] === "%") {
      text += "%";
      continue;
    }
    pieces.push(text, null);
    text = "";
    plain.push(m[0] === "%s");
  }
  pieces.push(text);
  if (plain.length !== parts.length) return parts;
  const slots = slotContexts(pieces);
  let earlier = false;
  return parts.map((t, k) => {
    const out = plain[k] ? clearQuoted(t, slots[k], earlier) : t;
    if (t.length) earlier = true;
    return out;
  });
}

function plusOperands(n: SyntaxNode): { left: SyntaxNode; right: SyntaxNode } | null {
  if (n.type !== "binary_operator" || n.childForFieldName("operator")?.text !== "+") return null;
  return { left: n.childForFieldName("left")!, right: n.childForFieldName("right")! };
}

/**
 * The quote context of the right operand of `node`, one `+` of a left-nested chain
 * `"...'" + v + "'..."`: the chain's operands are its pieces (string constants are text).
 */
export function plusSlot(node: SyntaxNode, literal: LiteralOf): QuoteSlot | null {
  let top = node;
  for (let depth = 0; depth < 64; depth++) {
    const p = top.parent;
    const ops = p ? plusOperands(p) : null;
    if (!ops || ops.left.id !== top.id) break;
    top = p!;
  }
  const operands: SyntaxNode[] = [];
  let cur: SyntaxNode = top;
  for (let ops = plusOperands(cur); ops && operands.length < 64; ops = plusOperands(cur)) {
    operands.unshift(ops.right);
    cur = ops.left;
  }
  operands.unshift(cur);
  const target = node.childForFieldName("right")!.id;
  const pieces: Piece[] = [];
  let slot = -1;
  let k = 0;
  for (const o of operands) {
    const s = literal(o);
    if (s !== null) {
      const last = pieces.length - 1;
      if (last >= 0 && pieces[last] !== null) pieces[last] += s;
      else pieces.push(s);
      continue;
    }
    if (o.id === target) slot = k;
    pieces.push(null);
    k++;
  }
  return slot >= 0 ? (slotContexts(pieces)[slot] ?? null) : null;
}

/**
 * `sep.join([a, b, ...])` of a literal list: the list's taint, each element's quoted facts cleared
 * (the elements with the separator between them are the pieces). Null when it is not that shape.
 */
export function joinQuoted(sep: string, list: SyntaxNode, literal: LiteralOf, evalElement: (n: SyntaxNode) => Taint): Taint | null {
  const u = unparen(list);
  if (u.type !== "list" && u.type !== "tuple") return null;
  const elements = u.namedChildren.filter((c) => c.type !== "comment");
  if (elements.some((e) => e.type === "list_splat" || e.type === "parenthesized_list_splat")) return null;
  const pieces: Piece[] = [];
  const values: SyntaxNode[] = [];
  elements.forEach((e, i) => {
    const s = (i > 0 ? sep : "") + "";
    if (i > 0) {
      const last = pieces.length - 1;
      if (last >= 0 && pieces[last] !== null) pieces[last] += s;
      else pieces.push(s);
    }
    const lit = literal(e);
    if (lit !== null) {
      const last = pieces.length - 1;
      if (last >= 0 && pieces[last] !== null) pieces[last] += lit;
      else pieces.push(lit);
    } else {
      pieces.push(null);
      values.push(e);
    }
  });
  const slots = slotContexts(pieces);
  let out: Taint = [];
  values.forEach((e, k) => {
    const t = evalElement(e);
    out = union(out, clearQuoted(t, slots[k], out.length > 0));
  });
  return out;
}

// ------------------------------------------------------------------ across same-file calls

const variantsCache = new WeakMap<FunctionInfo, readonly number[]>();

/**
 * The quote marks to follow a function's parameters with, each as a variant of its own (a
 * summary assumes the argument holds no such quote): none unless some string literal of the
 * function holds a quote character in its text, the only way a template can quote a value (the
 * variants cost facts).
 */
export function quoteVariants(fn: FunctionInfo): readonly number[] {
  let v = variantsCache.get(fn);
  if (!v) {
    v = fn.node.descendantsOfType("string_content").some((c) => /['"]/.test(c.text)) ? [NO_APOSTROPHE_BIT, NO_QUOTE_BIT] : [];
    variantsCache.set(fn, v);
  }
  return v;
}

/** Which variant of a callee's parameter an argument fact uses: the first mark it carries that the callee followed. */
export function chosenVariant(cleared: number, variants: readonly number[]): number {
  for (const m of variants) if (cleared & m) return m;
  return 0;
}
