import { parsePython } from "../python/index.js";
import { decodePythonSource } from "./decode.js";

/**
 * Our syntax verdict on a file's bytes, the way `scan` reaches it (decode as CPython reads a file,
 * then parse): what `npm run accept:syntax` and its CI test compare with CPython's compile().
 */
export function syntaxVerdict(bytes: Uint8Array, filename = "<string>"): { ok: true } | { ok: false; reason: string } {
  const decoded = decodePythonSource(bytes);
  if (!decoded.ok) return { ok: false, reason: decoded.reason };
  const module = parsePython(decoded.text, filename);
  if (!module.hasErrors) return { ok: true };
  const e = module.errorRanges[0]!;
  return { ok: false, reason: `line ${e.line}: ${e.message}` };
}
