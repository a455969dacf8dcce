import type { Finding } from "../finding.js";

/** Bandit's per-file metrics block. */
export interface FileMetrics {
  loc: number;
  nosec: number;
  skipped_tests: number;
  "SEVERITY.UNDEFINED": number;
  "SEVERITY.LOW": number;
  "SEVERITY.MEDIUM": number;
  "SEVERITY.HIGH": number;
  "CONFIDENCE.UNDEFINED": number;
  "CONFIDENCE.LOW": number;
  "CONFIDENCE.MEDIUM": number;
  "CONFIDENCE.HIGH": number;
}

export function emptyMetrics(): FileMetrics {
  return {
    loc: 0,
    nosec: 0,
    skipped_tests: 0,
    "SEVERITY.UNDEFINED": 0,
    "SEVERITY.LOW": 0,
    "SEVERITY.MEDIUM": 0,
    "SEVERITY.HIGH": 0,
    "CONFIDENCE.UNDEFINED": 0,
    "CONFIDENCE.LOW": 0,
    "CONFIDENCE.MEDIUM": 0,
    "CONFIDENCE.HIGH": 0,
  };
}

/**
 * Bandit's count_locs: lines that are neither blank nor comment-only. One pass over the text: a
 * line counts when its first character that is not whitespace exists and is not "#".
 */
export function countLoc(text: string): number {
  let n = 0;
  let atLineStart = true; // no non-whitespace character seen on this line yet
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      atLineStart = true;
      continue;
    }
    if (!atLineStart || isTrimmed(c)) continue;
    atLineStart = false;
    if (c !== 35 /* # */) n++;
  }
  return n;
}

/** What String.prototype.trim removes (ECMAScript WhiteSpace and LineTerminator), CR/LF aside. */
function isTrimmed(c: number): boolean {
  return c === 32 || c === 9 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** Count findings by severity and confidence (all findings, before level filters, as Bandit). */
export function addFindingCounts(m: FileMetrics, findings: readonly Finding[]): void {
  for (const f of findings) {
    m[`SEVERITY.${f.issue_severity}`]++;
    m[`CONFIDENCE.${f.issue_confidence}`]++;
  }
}

export function sumMetrics(all: Iterable<FileMetrics>): FileMetrics {
  const total = emptyMetrics();
  for (const m of all) for (const k of Object.keys(total) as (keyof FileMetrics)[]) total[k] += m[k];
  return total;
}
