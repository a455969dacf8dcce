import { isUtf8 } from "node:buffer";
import { TextDecoder } from "node:util";

/** Turn file bytes into Python source text the way CPython reads a file, or say why not. */
export type Decoded = { ok: true; text: string } | { ok: false; reason: string };

// PEP 263: a coding cookie in a comment on line 1 or 2.
const COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

function normaliseEncoding(name: string): string {
  const n = name.toLowerCase().replace(/_/g, "-");
  if (n === "utf-8" || n.startsWith("utf-8-")) return "utf-8";
  if (n === "latin-1" || n === "iso-8859-1" || n === "iso-latin-1" || n.startsWith("latin-1-") || n.startsWith("iso-8859-1-")) return "latin1";
  return n;
}

// Decoders are costly to construct; a scan decodes thousands of files.
const decoders = new Map<string, TextDecoder>();

function decoderFor(encoding: string): TextDecoder {
  let d = decoders.get(encoding);
  if (!d) {
    d = new TextDecoder(encoding, { fatal: true });
    decoders.set(encoding, d);
  }
  return d;
}

/** Only a line that mentions "coding" can be a cookie; almost no file has one. */
function mayHaveCookie(body: Uint8Array): boolean {
  const head = Buffer.from(body.buffer, body.byteOffset, Math.min(body.length, 512));
  return head.includes("coding");
}

export function decodePythonSource(bytes: Uint8Array): Decoded {
  let body = bytes;
  let bom = false;
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) {
    body = body.subarray(3);
    bom = true;
  }
  if (body.includes(0)) return { ok: false, reason: "source code cannot contain null bytes" };
  let encoding = "utf-8";
  // Look for a cookie in the first two lines (ASCII-compatible by definition).
  const head = mayHaveCookie(body) ? Buffer.from(body.subarray(0, Math.min(body.length, 512))).toString("latin1").split(/\r\n|\r|\n/, 2) : [];
  for (const line of head) {
    const m = COOKIE.exec(line);
    if (m?.[1]) {
      encoding = normaliseEncoding(m[1]);
      break;
    }
    if (!/^[ \t\f]*(#.*)?$/.test(line)) break; // the cookie must precede any code
  }
  if (bom && encoding !== "utf-8") return { ok: false, reason: `encoding problem: ${encoding} with BOM` };
  if (encoding === "utf-8") {
    if (!isUtf8(body)) return { ok: false, reason: "source is not valid utf-8" };
    return { ok: true, text: Buffer.from(body.buffer, body.byteOffset, body.length).toString("utf8") };
  }
  try {
    const text = decoderFor(encoding).decode(body);
    return { ok: true, text };
  } catch (err) {
    if (err instanceof RangeError) return { ok: false, reason: `unknown encoding: ${encoding}` };
    return { ok: false, reason: `source is not valid ${encoding}` };
  }
}
