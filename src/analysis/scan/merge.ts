import type { Finding } from "../finding.js";

/**
 * One problem, one entry: when a Bandit-compatible rule and the vulnerability detector flag the
 * same construct (B605 and VULN-CWE-78 on the same `os.system(cmd)`), the report shows it once,
 * under the rule's id (so Bandit's JSON schema and ids stay as Bandit users know them), with the
 * detector's finding attached in `also_reported_by`.
 */

/** A finding of another analyzer merged into a reported finding. */
export interface AlsoReported {
  analyzer: Finding["analyzer"];
  test_id: string;
  test_name: string;
  issue_severity: Finding["issue_severity"];
  issue_confidence: Finding["issue_confidence"];
  issue_cwe: Finding["issue_cwe"];
  issue_text: string;
  flow?: Finding["flow"];
}

export type ReportedFinding = Finding & { also_reported_by?: AlsoReported[] };

// CWE families: ids that name the same weakness at different levels of detail.
const FAMILIES: readonly (readonly number[])[] = [
  [77, 78, 88],
  [94, 95, 1336],
  [22, 23, 36, 73],
  [79, 80],
  [89, 564],
  [611, 776],
  [1333, 730, 625],
];
const FAMILY = new Map<number, number>();
for (const family of FAMILIES) for (const id of family) FAMILY.set(id, family[0]!);

/**
 * Bandit files eval (B307) and exec (B102) under CWE-78 although they run Python code, which is
 * what the detector calls CWE-95: read them as code injection when matching.
 */
const CODE_EXECUTION_RULES = new Set(["B307", "B102"]);

function problemClass(f: Finding): number {
  const cwe = f.analyzer === "rules" && CODE_EXECUTION_RULES.has(f.test_id) ? 95 : f.issue_cwe.id;
  return FAMILY.get(cwe) ?? cwe;
}

/** Column span on the finding's first line; a finding over several lines runs to the line's end. */
function span(f: Finding): [number, number] {
  const multiLine = f.line_range.length > 1 || f.end_col_offset <= f.col_offset;
  return [f.col_offset, multiLine ? Number.POSITIVE_INFINITY : f.end_col_offset];
}

function overlaps(a: Finding, b: Finding): boolean {
  const [a0, a1] = span(a);
  const [b0, b1] = span(b);
  return a0 < b1 && b0 < a1;
}

function alsoOf(f: Finding): AlsoReported {
  return {
    analyzer: f.analyzer,
    test_id: f.test_id,
    test_name: f.test_name,
    issue_severity: f.issue_severity,
    issue_confidence: f.issue_confidence,
    issue_cwe: f.issue_cwe,
    issue_text: f.issue_text,
    ...(f.flow ? { flow: f.flow } : {}),
  };
}

/**
 * Merge each detector finding into the rules finding of the same problem: same file and line,
 * overlapping columns, and the same CWE family. Each rules finding takes at most one detector
 * finding (the nearest by column), so two `os.system` calls on one line stay two entries. Order
 * and everything unmatched are kept as they are.
 */
export function mergeSameProblem(findings: readonly Finding[]): ReportedFinding[] {
  const byPlace = new Map<string, number[]>();
  findings.forEach((f, i) => {
    if (f.analyzer !== "rules") return;
    const key = `${f.filename}\0${f.line_number}\0${problemClass(f)}`;
    const list = byPlace.get(key);
    if (list) list.push(i);
    else byPlace.set(key, [i]);
  });
  const absorbedBy = new Map<number, number>();
  const taken = new Set<number>();
  findings.forEach((f, i) => {
    if (f.analyzer !== "vuln") return;
    const candidates = byPlace.get(`${f.filename}\0${f.line_number}\0${problemClass(f)}`) ?? [];
    let best = -1;
    for (const c of candidates) {
      if (taken.has(c) || !overlaps(findings[c]!, f)) continue;
      if (best < 0 || Math.abs(findings[c]!.col_offset - f.col_offset) < Math.abs(findings[best]!.col_offset - f.col_offset)) best = c;
    }
    if (best >= 0) {
      taken.add(best);
      absorbedBy.set(i, best);
    }
  });
  if (absorbedBy.size === 0) return [...findings];
  const also = new Map<number, AlsoReported[]>();
  for (const [i, into] of absorbedBy) also.set(into, [...(also.get(into) ?? []), alsoOf(findings[i]!)]);
  const out: ReportedFinding[] = [];
  findings.forEach((f, i) => {
    if (absorbedBy.has(i)) return;
    const extra = also.get(i);
    out.push(extra ? { ...f, also_reported_by: extra } : f);
  });
  return out;
}

/** Every id a reported finding stands for: its own, then the merged ones. */
export function reportedIds(f: ReportedFinding): string[] {
  return [f.test_id, ...(f.also_reported_by ?? []).map((a) => a.test_id)];
}
