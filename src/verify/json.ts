import { createHash, randomBytes } from "node:crypto";

/**
 * JSON that keeps integers beyond 2^53 exact, for Task objects crossing the wire (test data holds
 * such numbers, and rounding one through a double makes a correct program fail its test).
 *
 * Parsing is JSON.parse's speed in the common case: a body is scanned once for an integer literal
 * of 16 or more digits outside strings (anything shorter is a safe integer), and only a body that
 * has one takes the exact path. That path rewrites each such literal into a string carrying a
 * per-process random marker, parses natively and turns the marked strings back into BigInt, so it
 * stays near native speed too (lossless-json's own parser is ~20x slower on multi-megabyte bodies).
 */

const MARK = `\u0000scrl-int-${randomBytes(6).toString("hex")}:`;
const MARK_JSON = JSON.stringify(MARK).slice(1, -1);

/**
 * String literals, or an integer literal of 16+ digits (not part of a fraction or an exponent).
 * Strings are matched only so that digits inside them are skipped.
 */
const STRING_OR_LONG_INTEGER = /"[^"\\]*(?:\\.[^"\\]*)*"|(?<![\d.eE+-])-?\d{16,}(?![\d.eE])/g;

/** Spans [start, end) of integer literals with 16+ digits outside strings; null when there are none. */
function longIntegerSpans(text: string): Array<[number, number]> | null {
  // Most bodies have no 16-digit run at all: one native scan settles it.
  if (!/\d{16}/.test(text)) return null;
  let spans: Array<[number, number]> | null = null;
  STRING_OR_LONG_INTEGER.lastIndex = 0;
  for (let m = STRING_OR_LONG_INTEGER.exec(text); m !== null; m = STRING_OR_LONG_INTEGER.exec(text)) {
    if (m[0].charCodeAt(0) !== 34 /* " */) (spans ??= []).push([m.index, m.index + m[0].length]);
  }
  return spans;
}

export function parseWireJson(text: string): unknown {
  const spans = longIntegerSpans(text);
  if (spans === null) return JSON.parse(text);
  let rewritten = "";
  let last = 0;
  for (const [start, end] of spans) {
    const literal = text.slice(start, end);
    // Integers that still fit a double exactly stay numbers, as JSON.parse would give them.
    rewritten += text.slice(last, start) + (Number.isSafeInteger(Number(literal)) ? literal : `"${MARK_JSON}${literal}"`);
    last = end;
  }
  rewritten += text.slice(last);
  return JSON.parse(rewritten, (_key, value: unknown) => (typeof value === "string" && value.startsWith(MARK) ? BigInt(value.slice(MARK.length)) : value));
}

/** JSON text with BigInt written as its exact digits (Python's json reads it back as the same int). */
export function stringifyWireJson(value: unknown): string {
  let marked = false;
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== "bigint") return v;
    marked = true;
    return `${MARK}${v.toString()}`;
  });
  if (text === undefined) return "null";
  return marked ? text.replace(new RegExp(`"${escapeRegExp(MARK_JSON)}(-?\\d+)"`, "g"), "$1") : text;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Object keys sorted at every level, so equal values give equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  return stringifyWireJson(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

/** Short content hash of a value (canonical JSON, SHA-256, 16 hex digits). */
export function contentHash(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, 16);
}
