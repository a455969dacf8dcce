import type { ScanReport } from "../scanner.js";

const cap = (s: string) => s.charAt(0) + s.slice(1).toLowerCase();

/** A readable report in the layout of Bandit's screen output. */
export function formatText(report: ScanReport): string {
  const out: string[] = [`Run started: ${report.generated_at}`, "", "Test results:"];
  if (report.results.length === 0) out.push("\tNo issues identified.");
  for (const f of report.results) {
    out.push(`>> Issue: [${f.test_id}:${f.test_name}] ${f.issue_text}`);
    out.push(`   Severity: ${cap(f.issue_severity)}   Confidence: ${cap(f.issue_confidence)}`);
    out.push(`   CWE: CWE-${f.issue_cwe.id} (${f.issue_cwe.link})`);
    if (f.more_info) out.push(`   More Info: ${f.more_info}`);
    out.push(`   Location: ${f.filename}:${f.line_number}:${f.col_offset}`);
    for (const a of f.also_reported_by ?? []) {
      out.push(`   Also reported as: [${a.test_id}:${a.test_name}] ${a.issue_text}`);
      out.push(`      Severity: ${cap(a.issue_severity)}   Confidence: ${cap(a.issue_confidence)}   CWE: CWE-${a.issue_cwe.id}`);
    }
    const flow = f.flow ?? f.also_reported_by?.find((a) => a.flow)?.flow;
    if (flow && flow.length > 0) {
      out.push("   Flow:");
      for (const s of flow) out.push(`     ${s.line}:${s.col} ${s.message}`);
    }
    for (const l of f.code.split("\n")) if (l) out.push(l);
    out.push("-".repeat(50));
  }
  const t = report.metrics._totals;
  out.push("", "Code scanned:", `\tTotal lines of code: ${t?.loc ?? 0}`, `\tTotal lines skipped (#nosec): ${t?.nosec ?? 0}`);
  if (t) {
    out.push("", "Run metrics:", "\tTotal issues (by severity):");
    for (const s of ["UNDEFINED", "LOW", "MEDIUM", "HIGH"] as const) out.push(`\t\t${cap(s)}: ${t[`SEVERITY.${s}`]}`);
    out.push("\tTotal issues (by confidence):");
    for (const s of ["UNDEFINED", "LOW", "MEDIUM", "HIGH"] as const) out.push(`\t\t${cap(s)}: ${t[`CONFIDENCE.${s}`]}`);
  }
  out.push(`Files skipped (${report.errors.length}):`);
  for (const e of report.errors) out.push(`\t${e.filename} (${e.reason}${e.detail ? `: ${e.detail}` : ""})`);
  return `${out.join("\n")}\n`;
}
