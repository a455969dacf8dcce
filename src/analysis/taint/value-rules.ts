/**
 * The tables and small taint transforms the expression pass (evaluator.ts) applies to calls and
 * values: which methods mutate, read or only touch a container or file, how a value placed into a
 * template is marked, and what a constant dictionary key is.
 */
import type { SyntaxNode } from "../python/cfg.js";
import { unparen } from "./context.js";
import { clear, mark, union, unionAll, unclear, type Taint } from "./facts.js";
import { CLASS_BIT, EMBEDDED_BIT, HANDLE_BIT, SPLICED_BIT } from "./models/index.js";
import { QUOTE_MARKS } from "./quotes.js";

/** Builtins that never change the containers passed to them. */
export const READ_ONLY_BUILTINS = new Set(["len", "str", "repr", "print", "isinstance", "bool", "sorted", "list", "tuple", "dict", "set", "frozenset", "any", "all", "min", "max", "sum", "iter", "enumerate", "zip", "id", "type", "hash"]);
// `set(section, key, value)` (configparser, caches, key-value stores) keeps its value for a later `get`.
export const MUTATORS = new Set(["append", "extend", "insert", "add", "update", "setdefault", "appendleft", "extendleft", "put", "put_nowait", "push", "set"]);
/** Methods of a file object that return what it holds. */
export const READ_METHODS = new Set(["read", "readline", "readlines", "read1", "readall", "__next__", "__iter__", "getvalue"]);
/** Writes into an in-memory text or byte buffer, which `getvalue()`/`read()` give back. */
export const BUFFER_WRITES = new Set(["write", "writelines"]);
export const MEMORY_BUFFERS = new Set(["io.StringIO", "io.BytesIO", "StringIO.StringIO", "cStringIO.StringIO"]);
/** Methods of a file object whose result is nothing it holds (a number, a flag, None). */
export const HANDLE_METHODS = new Set(["fileno", "tell", "seek", "close", "flush", "write", "writelines", "truncate", "isatty", "readable", "writable", "seekable", "__enter__", "__exit__"]);
/** A URL whose scheme and host are fixed text (no `{}` or `%` placeholder in the host). */
export const FIXED_URL = /^[a-z][a-z0-9+.-]*:\/\/[^/{}%\s]+\//i;

/** A value placed inside trusted structure (after a prefix, under a base, into a template). */
export function embedded(t: Taint): Taint {
  return mark(t, EMBEDDED_BIT);
}

/** What a read of a file object gives: its contents (the handle mark goes, and quote marks: an element is not the checked text). */
export function contents(t: Taint): Taint {
  return unclear(t, HANDLE_BIT | QUOTE_MARKS);
}

/** A string literal constant key (`d["k"]`), or null. */
export function constantKey(n: SyntaxNode | undefined): string | null {
  const u = n ? unparen(n) : null;
  if (!u || u.type !== "string" || u.namedChildren.some((c) => c.type === "interpolation")) return null;
  const content = u.namedChildren.filter((c) => c.type === "string_content");
  if (content.length > 1 || u.namedChildren.some((c) => c.type === "escape_sequence")) return null;
  return content[0]?.text ?? "";
}


/** The same facts, marked as fill values spliced into a template (see SPLICED_BIT). */
export function spliced(t: Taint): Taint {
  return t.map((f) => (f.cleared & SPLICED_BIT ? f : { src: f.src, cleared: f.cleared | SPLICED_BIT, path: f.path }));
}

/**
 * Which fill value a literal template starts with, before any text: `{}`/`{0}` and `%s` give 0,
 * `{name}` gives "name"; null when text comes first. f-strings, `.format` and `%` are three
 * spellings of one template: a fill value at the very start is the whole value up to what follows
 * it (`f"{path}.bak"`), every other one sits inside the template's structure.
 */
export function leadingField(lit: string, style: "format" | "percent"): number | string | null {
  if (style === "format") {
    const m = /^\{(?!\{)([^{}!:.[]*)/.exec(lit);
    if (!m) return null;
    return m[1] === "" ? 0 : /^\d+$/.test(m[1]!) ? Number(m[1]) : m[1]!;
  }
  return /^%[-#0 +]*(\d+|\*)?(\.\d+)?[diouxXeEfFgGcrsa]/.test(lit) ? 0 : null;
}

/** A template's fill value: spliced, and inside the template's structure unless it leads it. */
export function fill(t: Taint, leads: boolean): Taint {
  return leads ? spliced(t) : embedded(spliced(t));
}

/** The field name for constant keys `k1, k2, ...` (one key: the key itself, as `d["k"]`), or null. */
export function compositeKey(keys: readonly SyntaxNode[]): string | null {
  const parts = keys.map((k) => constantKey(k));
  return parts.length > 0 && parts.every((k) => k !== null) ? parts.join("\u0000") : null;
}

/** For `x.set(k1, ..., value)`: the field its constant keys name, or null. */
export function storedKey(positional: readonly SyntaxNode[]): string | null {
  return positional.length >= 2 ? compositeKey(positional.slice(0, -1)) : null;
}

/**
 * A Flask response given as a tuple (`(body, headers)`, `(body, status, headers)`): only the body is
 * HTML; the status and headers are not page content (a header value can still inject a header).
 */
export function responseTupleTaint(elements: readonly Taint[]): Taint {
  return union(elements[0] ?? [], clear(unionAll(elements.slice(1)), CLASS_BIT.xss));
}

/** The parts of a tuple display (`(a, b)` or a bare `a, b`), or null for anything else. */
export function tupleParts(n: SyntaxNode): SyntaxNode[] | null {
  const u = unparen(n);
  if (u.type !== "tuple" && u.type !== "expression_list") return null;
  const parts = u.namedChildren.filter((c) => c.type !== "comment");
  return parts.some((c) => c.type === "list_splat") ? null : parts;
}
