import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

/**
 * Reading one source file without trusting what the path names. A path can name a FIFO (open()
 * blocks until a writer comes), a device (`/dev/zero` never ends), or a `.py` symlink to either;
 * and a regular file can be far larger than any analysis should hold in memory. So a file is
 * opened non-blocking, checked with fstat on the descriptor (the object actually opened, so a
 * swap after a directory listing cannot slip a device in), and read up to a byte limit.
 */

/**
 * Default largest file `scan` analyses (--max-file-size): above the largest .py file in CPython
 * 3.11's standard library and Debian's Python packages (1.5 MB), and small enough that the
 * analysis of the densest code stays under about a gigabyte (that 1.5 MB file peaks at ~0.5 GB).
 */
export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;

export type ReadResult = { ok: true; bytes: Buffer } | { ok: false; reason: string };

function describe(st: ReturnType<typeof fstatSync>): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

export function readSourceFile(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): ReadResult {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting forever.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    return { ok: false, reason: `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, reason: `cannot read: ${describe(st)}, not a regular file` };
    if (st.size > maxBytes) return { ok: false, reason: tooLarge(st.size, maxBytes) };
    // Read to the limit plus one byte rather than to the size fstat gave: a file that grows while
    // it is read (a log being written) is cut off as too large, never read without end.
    let buffer = Buffer.allocUnsafe(Math.min(maxBytes + 1, st.size + 1));
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) return { ok: false, reason: tooLarge(length, maxBytes) };
        const grown = Buffer.allocUnsafe(Math.min(maxBytes + 1, length * 2));
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > maxBytes) return { ok: false, reason: tooLarge(length, maxBytes) };
    return { ok: true, bytes: buffer.subarray(0, length) };
  } catch (err) {
    return { ok: false, reason: `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  } finally {
    closeSync(fd);
  }
}

export function tooLarge(size: number, maxBytes: number): string {
  return `file too large to analyse: ${size} bytes, limit ${maxBytes} (--max-file-size)`;
}
