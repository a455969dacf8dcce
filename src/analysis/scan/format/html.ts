import type { ReportedFinding } from "../merge.js";
import type { ScanReport } from "../scanner.js";

/**
 * One self-contained HTML page (no scripts, no external resources): totals, then each finding with
 * its location, code and any merged findings or taint path, then the files that could not be
 * scanned. Every piece of scanned text is escaped: file names and code come from the scanned tree.
 */

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
const cap = (s: string) => s.charAt(0) + s.slice(1).toLowerCase();

function issue(f: ReportedFinding): string {
  const ids = [f, ...(f.also_reported_by ?? [])].map((x) => `<code>${esc(x.test_id)}</code> ${esc(x.test_name)}`).join(" + ");
  const also = (f.also_reported_by ?? [])
    .map((a) => `<p class="also">Also reported by the ${esc(a.analyzer)} analyzer as <code>${esc(a.test_id)}</code> (CWE-${a.issue_cwe.id}, severity ${cap(a.issue_severity)}, confidence ${cap(a.issue_confidence)}): ${esc(a.issue_text)}</p>`)
    .join("");
  const flow = f.flow ?? f.also_reported_by?.find((a) => a.flow)?.flow;
  const steps = flow && flow.length > 0 ? `<ol class="flow">${flow.map((s) => `<li>line ${s.line}:${s.col} ${esc(s.message)}</li>`).join("")}</ol>` : "";
  const more = f.more_info ? ` <a href="${esc(f.more_info)}">more info</a>` : "";
  return `<section class="issue sev-${f.issue_severity.toLowerCase()}">
<h3>${ids}</h3>
<p>${esc(f.issue_text)}</p>
<p class="meta">Severity <b>${cap(f.issue_severity)}</b> &middot; Confidence <b>${cap(f.issue_confidence)}</b> &middot; <a href="${esc(f.issue_cwe.link)}">CWE-${f.issue_cwe.id}</a> &middot; <code>${esc(f.filename)}:${f.line_number}:${f.col_offset}</code>${more}</p>
${also}<pre>${esc(f.code)}</pre>${steps}
</section>`;
}

export function formatHtml(report: ScanReport): string {
  const t = report.metrics._totals;
  const bySeverity = (["HIGH", "MEDIUM", "LOW"] as const).map((s) => `<td>${report.results.filter((f) => f.issue_severity === s).length}</td>`).join("");
  const errors =
    report.errors.length === 0
      ? "<p>None.</p>"
      : `<ul>${report.errors.map((e) => `<li><code>${esc(e.filename)}</code>: ${esc(e.reason)}${e.detail ? ` (${esc(e.detail)})` : ""}</li>`).join("")}</ul>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>securecoderl scan report</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #1d1d1f; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .3rem .7rem; text-align: right; }
.issue { border-left: 5px solid #999; padding: .2rem 1rem; margin: 1rem 0; background: #fafafa; }
.sev-high { border-color: #c62828; } .sev-medium { border-color: #ef6c00; } .sev-low { border-color: #f9a825; }
.issue h3 { margin: .4rem 0; font-size: 1rem; } .meta, .also { color: #444; }
pre { background: #f0f0f0; padding: .5rem; overflow-x: auto; } .flow { font-family: monospace; }
</style>
</head>
<body>
<h1>securecoderl scan report</h1>
<p>Run started ${esc(report.generated_at)}; ${report.filesScanned} files scanned, ${t?.loc ?? 0} lines of code, ${t?.nosec ?? 0} lines skipped (#nosec).</p>
<table><tr><th>Findings</th><th>High</th><th>Medium</th><th>Low</th></tr><tr><td>${report.results.length}</td>${bySeverity}</tr></table>
<h2>Findings</h2>
${report.results.length === 0 ? "<p>No issues identified.</p>" : report.results.map(issue).join("\n")}
<h2>Files skipped (${report.errors.length})</h2>
${errors}
</body>
</html>
`;
}
