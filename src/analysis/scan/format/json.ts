import type { ScanReport } from "../scanner.js";

/**
 * Bandit's JSON report (`errors`, `generated_at`, `metrics`, `results`) plus `analyzer` per result,
 * `flow` for taint paths and `also_reported_by` where another analyzer's finding of the same problem
 * was merged into the result (extra keys: Bandit's schema stays valid).
 */
export function formatJson(report: ScanReport): string {
  const results = [...report.results].sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
  const doc = {
    errors: report.errors,
    generated_at: report.generated_at,
    metrics: report.metrics,
    results: results.map((f) => ({
      code: f.code,
      col_offset: f.col_offset,
      end_col_offset: f.end_col_offset,
      filename: f.filename,
      issue_confidence: f.issue_confidence,
      issue_cwe: f.issue_cwe,
      issue_severity: f.issue_severity,
      issue_text: f.issue_text,
      line_number: f.line_number,
      line_range: f.line_range,
      more_info: f.more_info ?? "",
      test_id: f.test_id,
      test_name: f.test_name,
      analyzer: f.analyzer,
      ...(f.flow ? { flow: f.flow } : {}),
      ...(f.also_reported_by ? { also_reported_by: f.also_reported_by } : {}),
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
