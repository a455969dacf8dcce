import type { SyntaxNode } from "./source.js";
import { nodeText } from "./source.js";
import { unparenthesize } from "./walk.js";

/**
 * A Python literal value, as `ast.literal_eval` would produce it. Kinds are explicit so callers
 * can tell `"1"` from `1`, `b"x"` from `"x"` and a tuple from a list.
 */
export type PyValue =
  | { kind: "str"; value: string }
  /** Bytes as a latin-1 string (one char per byte). */
  | { kind: "bytes"; value: string }
  | { kind: "int"; value: bigint }
  | { kind: "float"; value: number }
  | { kind: "bool"; value: boolean }
  | { kind: "none" }
  | { kind: "ellipsis" }
  | { kind: "tuple" | "list" | "set"; items: PyValue[] }
  | { kind: "dict"; entries: [PyValue, PyValue][] };

/** Parsed pieces of one string token: its prefix flags and decoded body (null for f-strings). */
export interface StringToken {
  raw: boolean;
  bytes: boolean;
  formatted: boolean;
  value: string | null;
}

export const SIMPLE_ESCAPES: ReadonlyMap<string, string> = new Map([
  ["\n", ""],
  ["\\", "\\"],
  ["'", "'"],
  ['"', '"'],
  ["a", "\x07"],
  ["b", "\b"],
  ["f", "\f"],
  ["n", "\n"],
  ["r", "\r"],
  ["t", "\t"],
  ["v", "\v"],
]);

export function decodeEscapes(body: string, bytes: boolean): string {
  if (!body.includes("\\")) return body;
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== "\\" || i + 1 >= body.length) {
      out += ch;
      continue;
    }
    const next = body[i + 1]!;
    if (next === "\r" && body[i + 2] === "\n") {
      i += 2;
      continue;
    }
    const simple = SIMPLE_ESCAPES.get(next);
    if (simple !== undefined) {
      out += simple;
      i++;
      continue;
    }
    if (next >= "0" && next <= "7") {
      let j = i + 1;
      let digits = "";
      while (j < body.length && digits.length < 3 && body[j]! >= "0" && body[j]! <= "7") digits += body[j++];
      out += String.fromCharCode(parseInt(digits, 8));
      i = j - 1;
      continue;
    }
    const hexLen = next === "x" ? 2 : !bytes && next === "u" ? 4 : !bytes && next === "U" ? 8 : 0;
    if (hexLen > 0) {
      const hex = body.slice(i + 2, i + 2 + hexLen);
      if (/^[0-9a-fA-F]+$/.test(hex) && hex.length === hexLen) {
        out += String.fromCodePoint(parseInt(hex, 16));
        i += 1 + hexLen;
        continue;
      }
    }
    if (!bytes && next === "N") {
      const close = body.indexOf("}", i);
      // Unicode names need a name table we do not carry; keep the escape text verbatim.
      if (body[i + 2] === "{" && close > 0) {
        out += body.slice(i, close + 1);
        i = close;
        continue;
      }
    }
    // Unknown escapes stay as written, as in Python.
    out += "\\";
  }
  return out;
}

/** Decode one `string` node (not a concatenation). */
export function readStringToken(node: SyntaxNode, source: string): StringToken {
  const text = nodeText(node, source);
  let p = 0;
  while (p < text.length && text[p] !== "'" && text[p] !== '"') p++;
  const prefix = text.slice(0, p).toLowerCase();
  const raw = prefix.includes("r");
  const bytes = prefix.includes("b");
  const formatted = prefix.includes("f") || prefix.includes("t");
  if (formatted) return { raw, bytes, formatted, value: null };
  const rest = text.slice(p);
  const q = rest.startsWith('"""') || rest.startsWith("'''") ? 3 : 1;
  const body = rest.slice(q, Math.max(q, rest.length - q));
  return { raw, bytes, formatted, value: raw ? body : decodeEscapes(body, bytes) };
}

/**
 * The string value of a `string` or `concatenated_string` node, or null for f-strings and
 * non-strings. Bytes are included when `allowBytes` is set.
 */
export function stringValue(node: SyntaxNode, source: string, allowBytes = false): string | null {
  const v = literalValue(node, source);
  if (v?.kind === "str") return v.value;
  if (allowBytes && v?.kind === "bytes") return v.value;
  return null;
}

/** Integer value (as a JS number) of an int literal, including `-1`; null otherwise. */
export function intValue(node: SyntaxNode, source: string): number | null {
  const v = literalValue(node, source);
  return v?.kind === "int" ? Number(v.value) : null;
}

function parseInteger(text: string): bigint | null {
  const t = text.replace(/_/g, "").toLowerCase();
  if (/[jl]$/.test(t)) return null;
  try {
    if (/^0[0-7]+$/.test(t)) return null; // Python 2 octal: a syntax error in Python 3
    return BigInt(t.startsWith("0o") ? `0o${t.slice(2)}` : t);
  } catch {
    return null;
  }
}

/**
 * Evaluate a literal expression like `ast.literal_eval`: strings (implicit concatenation included,
 * f-strings excluded), bytes, numbers (with unary +/-), True/False/None, and tuples, lists, sets
 * and dicts of literals. Returns undefined for anything that is not a literal.
 *
 * Note for Bandit parity: Bandit's own `_get_literal_value` does not fold `-1` (a UnaryOp); rules
 * that must match Bandit exactly should check for `unary_operator` themselves.
 */
export function literalValue(node: SyntaxNode, source: string, depth = 0): PyValue | undefined {
  // Deeply nested containers are not worth folding and must not exhaust the stack.
  if (depth > 200) return undefined;
  const n = unparenthesize(node);
  switch (n.type) {
    case "string": {
      const tok = readStringToken(n, source);
      if (tok.value === null) return undefined;
      return tok.bytes ? { kind: "bytes", value: tok.value } : { kind: "str", value: tok.value };
    }
    case "concatenated_string": {
      let out = "";
      let bytes: boolean | null = null;
      for (const part of n.namedChildren) {
        if (part.type !== "string") continue;
        const tok = readStringToken(part, source);
        if (tok.value === null) return undefined;
        if (bytes !== null && bytes !== tok.bytes) return undefined; // mixing bytes and str is an error
        bytes = tok.bytes;
        out += tok.value;
      }
      return bytes ? { kind: "bytes", value: out } : { kind: "str", value: out };
    }
    case "integer": {
      const v = parseInteger(nodeText(n, source));
      return v === null ? undefined : { kind: "int", value: v };
    }
    case "float": {
      const t = nodeText(n, source).replace(/_/g, "");
      if (/j$/i.test(t)) return undefined;
      const v = Number(t);
      return Number.isNaN(v) ? undefined : { kind: "float", value: v };
    }
    case "true":
      return { kind: "bool", value: true };
    case "false":
      return { kind: "bool", value: false };
    case "none":
      return { kind: "none" };
    case "ellipsis":
      return { kind: "ellipsis" };
    case "unary_operator": {
      const op = n.childForFieldName("operator");
      const arg = n.childForFieldName("argument");
      if (!op || !arg) return undefined;
      const opText = nodeText(op, source);
      const inner = literalValue(arg, source, depth + 1);
      if (!inner || (opText !== "-" && opText !== "+")) return undefined;
      if (inner.kind === "int") return { kind: "int", value: opText === "-" ? -inner.value : inner.value };
      if (inner.kind === "float") return { kind: "float", value: opText === "-" ? -inner.value : inner.value };
      return undefined;
    }
    case "tuple":
    case "list":
    case "set":
      return displayValue(n, (c) => literalValue(c, source, depth + 1));
    case "dictionary": {
      const entries: [PyValue, PyValue][] = [];
      for (const c of n.namedChildren) {
        if (c.type === "comment") continue;
        if (c.type !== "pair") return undefined;
        const k = c.childForFieldName("key");
        const v = c.childForFieldName("value");
        const kv = k ? literalValue(k, source, depth + 1) : undefined;
        const vv = v ? literalValue(v, source, depth + 1) : undefined;
        if (!kv || !vv) return undefined;
        entries.push([kv, vv]);
      }
      return { kind: "dict", entries };
    }
    default:
      return undefined;
  }
}

/** A tuple, list or set display as a value when `itemValue` knows every item, else undefined. */
export function displayValue(n: SyntaxNode, itemValue: (item: SyntaxNode) => PyValue | undefined): PyValue | undefined {
  const items: PyValue[] = [];
  for (const c of n.namedChildren) {
    if (c.type === "comment") continue;
    const v = itemValue(c);
    if (!v) return undefined;
    items.push(v);
  }
  return { kind: n.type as "tuple" | "list" | "set", items };
}

/** Python's truthiness of a literal value. */
export function isTruthy(v: PyValue): boolean {
  switch (v.kind) {
    case "str":
    case "bytes":
      return v.value.length > 0;
    case "int":
      return v.value !== 0n;
    case "float":
      return v.value !== 0;
    case "bool":
      return v.value;
    case "none":
      return false;
    case "ellipsis":
      return true;
    case "dict":
      return v.entries.length > 0;
    default:
      return v.items.length > 0;
  }
}

/**
 * Bandit's `Context._get_literal_value` as used by `context.call_args` and friends: constants give
 * their value (True/False/None as the strings "True"/"False"/"None"), names give their identifier,
 * attributes give their attribute name when `attrAsName` (call_args/call_keywords do that),
 * lists/tuples/sets give arrays; anything else gives null. Use it where parity with Bandit's quirks
 * matters.
 */
export type BanditValue = string | number | null | BanditValue[];

export function banditValue(node: SyntaxNode, source: string, attrAsName = false, depth = 0): BanditValue {
  if (depth > 200) return null;
  const n = unparenthesize(node);
  if (attrAsName && n.type === "attribute") {
    const attr = n.childForFieldName("attribute");
    return attr ? nodeText(attr, source) : null;
  }
  switch (n.type) {
    case "identifier":
      return nodeText(n, source);
    case "string":
    case "concatenated_string": {
      // Bytes never equal a str in Python, so they are no use to a string comparison: null.
      const v = literalValue(n, source);
      return v?.kind === "str" ? v.value : null;
    }
    case "integer":
    case "float": {
      const v = literalValue(n, source);
      if (v?.kind === "int") return Number(v.value);
      if (v?.kind === "float") return v.value;
      return null;
    }
    // Bandit stringifies True/False/None (plugins compare against "True").
    case "true":
      return "True";
    case "false":
      return "False";
    case "none":
      return "None";
    case "list":
    case "tuple":
    case "set":
      return n.namedChildren.filter((c) => c.type !== "comment").map((c) => banditValue(c, source, false, depth + 1));
    default:
      return null;
  }
}
