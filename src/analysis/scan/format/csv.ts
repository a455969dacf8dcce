import type { ReportedFinding } from "../merge.js";
import type { ScanReport } from "../scanner.js";

/**
 * Bandit's CSV columns (its newer layout, with issue_cwe and columns), then `analyzer` and
 * `also_reported_by` (the ids merged into the row, `;`-separated): readers that pick columns by
 * header keep working.
 */
const COLUMNS = ["filename", "test_name", "test_id", "issue_severity", "issue_confidence", "issue_cwe", "issue_text", "line_number", "col_offset", "end_col_offset", "line_range", "more_info", "analyzer", "also_reported_by"] as const;

/** RFC 4180: quote a field that holds a comma, quote, CR or LF; double the quotes inside. */
function field(value: string): string {
  // A leading =, +, - or @ makes spreadsheets evaluate the cell; a quote mark keeps it text.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function row(f: ReportedFinding): string {
  const cells: Record<(typeof COLUMNS)[number], string> = {
    filename: f.filename,
    test_name: f.test_name,
    test_id: f.test_id,
    issue_severity: f.issue_severity,
    issue_confidence: f.issue_confidence,
    issue_cwe: f.issue_cwe.link,
    issue_text: f.issue_text,
    line_number: String(f.line_number),
    col_offset: String(f.col_offset),
    end_col_offset: String(f.end_col_offset),
    line_range: `[${f.line_range.join(", ")}]`,
    more_info: f.more_info ?? "",
    analyzer: f.analyzer,
    also_reported_by: (f.also_reported_by ?? []).map((a) => a.test_id).join(";"),
  };
  return COLUMNS.map((c) => field(cells[c])).join(",");
}

export function formatCsv(report: ScanReport): string {
  return [COLUMNS.join(","), ...report.results.map(row)].join("\r\n") + "\r\n";
}
