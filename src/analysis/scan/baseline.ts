import { readFileSync } from "node:fs";
import { normalize } from "node:path";
import type { Finding } from "../finding.js";
import type { ReportedFinding } from "./merge.js";

/**
 * `scan --baseline FILE`: report only findings that a previous JSON report (ours or Bandit's) did
 * not have. As in Bandit, a finding is matched by what it is, not where: file name, test id, issue
 * text (less any line numbers it cites), severity and confidence, plus the text of the flagged line
 * (with its number stripped), so
 * inserting lines above a known finding does not make it new, while a second `eval` added to a file
 * that had one is. Matching is one-for-one: each baseline entry accounts for one current finding.
 */

export class BaselineError extends Error {
  override name = "BaselineError";
}

type Keyed = Pick<Finding, "filename" | "test_id" | "issue_text" | "issue_severity" | "issue_confidence" | "code" | "line_number">;

/** The flagged line's own text from a snippet (`"12 text"` or `"12\ttext"` lines), whitespace collapsed. */
function flaggedLine(code: string | undefined, line: number): string {
  for (const l of (code ?? "").split("\n")) {
    const m = /^(\d+)[ \t](.*)$/.exec(l);
    if (m && Number(m[1]) === line) return m[2]!.trim().replace(/\s+/g, " ");
  }
  return "";
}

/** Issue text without the line numbers some messages cite ("parameter name (line 3) reaches ..."). */
function textOf(text: string): string {
  return text.replace(/\bline \d+/g, "line N");
}

function keyOf(f: Keyed): string {
  // `./proj/a.py` and `proj/a.py` are one file: the baseline may come from a run started elsewhere.
  return JSON.stringify([normalize(f.filename), f.test_id, textOf(f.issue_text), f.issue_severity, f.issue_confidence, flaggedLine(f.code, f.line_number)]);
}

/** Baseline entries as a multiset of keys. Merged entries count each finding they stand for. */
export function loadBaseline(path: string): Map<string, number> {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw new BaselineError(`cannot read baseline ${path}: ${why}`);
  }
  const results = (doc as { results?: unknown }).results;
  if (!Array.isArray(results)) throw new BaselineError(`baseline ${path} is not a JSON scan report (no "results" list)`);
  const keys = new Map<string, number>();
  const add = (k: string) => keys.set(k, (keys.get(k) ?? 0) + 1);
  for (const r of results as (Keyed & { also_reported_by?: Partial<Keyed>[] })[]) {
    if (typeof r !== "object" || r === null || typeof r.test_id !== "string") throw new BaselineError(`baseline ${path}: a result without a test_id`);
    add(keyOf(r));
    for (const a of r.also_reported_by ?? []) add(keyOf({ ...r, ...a }));
  }
  return keys;
}

/**
 * The findings not in the baseline. A merged finding stays when any finding it stands for is new
 * (it is shown whole, so the new part has its context).
 */
export function newSinceBaseline(results: readonly ReportedFinding[], baseline: Map<string, number>): ReportedFinding[] {
  const left = new Map(baseline);
  const take = (k: string) => {
    const n = left.get(k) ?? 0;
    if (n === 0) return false;
    left.set(k, n - 1);
    return true;
  };
  return results.filter((f) => {
    const parts = [keyOf(f), ...(f.also_reported_by ?? []).map((a) => keyOf({ ...f, ...a }))];
    const known = parts.map(take);
    return known.includes(false);
  });
}
