import type { GroupMetrics } from "./metrics.js";
import { REWARD_BINS } from "./metrics.js";
import type { MetricsFile, RunContext } from "./outputs.js";
import { columnChart, escapeHtml as esc, rateChart } from "./svg.js";
import type { SampleResult } from "../verify/types.js";
import type { AnalyzerName } from "../analysis/finding.js";
import { rewardsOf, type ReportSample } from "./report-rewards.js";
import { outcomeLabel, sampleDetails, type TaskLookup } from "./report-sample.js";
import { baseExtendedTable, settingsHtml } from "./report-tables.js";

/**
 * report.html: one self-contained page (inline CSS, inline SVG, a few lines of inline JS for the
 * sample filter). Completions are untrusted, so every piece of sample text goes through esc(),
 * and a Content-Security-Policy forbids anything but the page's own inline code.
 */

/** Beyond this many samples the drill-down lists the first ones only (the page must stay openable). */
export const DRILL_DOWN_LIMIT = 3000;

function pct(x: number | null): string {
  return x === null ? "–" : `${(100 * x).toFixed(1)}%`;
}

function num(x: number | null, digits = 3): string {
  return x === null ? "–" : x.toFixed(digits);
}

function table(id: string, caption: string, head: string[], rows: string[][]): string {
  if (rows.length === 0) return `<p class="empty">${esc(caption)}: no data.</p>`;
  return (
    `<table id="${id}"><caption>${esc(caption)}</caption><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join("")}</tr>`).join("") +
    `</tbody></table>`
  );
}

function passAt1(m: GroupMetrics): string {
  const p = m.pass_at_k["1"];
  return p && p.tasks > 0 ? `${pct(p.estimate)} [${pct(p.ci95[0])}, ${pct(p.ci95[1])}]` : "–";
}

function mainRows(groups: Record<string, GroupMetrics>): string[][] {
  return Object.entries(groups).map(([name, m]) => [
    name,
    String(m.samples),
    pct(m.compile_rate),
    pct(m.all_pass_rate),
    pct(m.all_pass_rate_of_compiling),
    pct(m.test_pass_rate),
    pct(m.semantic_error_rate),
    pct(m.security_issue_rate),
    pct(m.module_level_solution_rate),
    num(m.mean_reward),
    passAt1(m),
    String(m.errored),
  ]);
}

const MAIN_HEAD = ["group", "samples", "compile", "all pass", "all pass (of compiling)", "test pass", "semantic error", "security issue", "module-level solution", "mean reward", "pass@1 [95% CI]", "errored"];

/** Runs that count cache hits and generation errors say so (older metrics.json files do not have them). */
function cachedNote(metrics: MetricsFile): string {
  const run = metrics.run as { cached_samples?: number; generation_errors?: number };
  const parts: string[] = [];
  if (typeof run.cached_samples === "number") parts.push(`${run.cached_samples} completion(s) from the generation cache`);
  if (typeof run.generation_errors === "number" && run.generation_errors > 0) parts.push(`${run.generation_errors} generation error(s)`);
  return parts.length > 0 ? `; ${esc(parts.join(", "))}` : "";
}

function overview(metrics: MetricsFile, ctx: RunContext): string {
  const o = metrics.overall;
  return `<dl class="overview">
<dt>Run</dt><dd>${esc(metrics.run.name ?? "(unnamed)")}</dd>
<dt>Reward spec</dt><dd>${esc(metrics.run.reward_spec)}</dd>
<dt>Analyzers</dt><dd>${esc(metrics.run.analyzers.join(", "))}</dd>
<dt>Judge</dt><dd>${esc(metrics.run.judge)}</dd>
<dt>Security threshold</dt><dd>${esc(metrics.severity_threshold)} and above</dd>
<dt>Models</dt><dd>${esc(metrics.run.models.join(", "))}</dd>
<dt>Datasets</dt><dd>${esc(metrics.run.datasets.join(", "))}</dd>
<dt>Samples</dt><dd>${o.samples} judged, ${o.errored} errored, ${ctx.issues.length} input issue(s)${cachedNote(metrics)}</dd>
</dl>`;
}

function charts(metrics: MetricsFile): string {
  const o = metrics.overall;
  const reward = columnChart(
    "Reward distribution (all samples)",
    REWARD_BINS.map((b) => ({ label: b, value: o.reward_histogram[b] })),
    { color: "#3b6ea5" },
  );
  const severity = columnChart(
    "Findings by severity",
    (["LOW", "MEDIUM", "HIGH"] as const).map((s) => ({ label: s, value: o.severity[s] })),
    { color: "#c0504d" },
  );
  const cwes = Object.entries(metrics.by_cwe).map(([cwe, m]) => ({ label: `CWE-${cwe}`, value: m.security_issue_rate ?? 0, text: pct(m.security_issue_rate) }));
  const cweChart = cwes.length > 0 ? rateChart("Security issue rate per task CWE", cwes) : "";
  const findingsByCwe = Object.entries(o.cwe).map(([cwe, n]) => ({ label: `CWE-${cwe}`, value: n }));
  const findingCweChart = findingsByCwe.length > 0 ? columnChart("Findings per reported CWE", findingsByCwe, { color: "#8064a2" }) : "";
  return `<div class="charts">${reward}${severity}${cweChart}${findingCweChart}</div>`;
}

function severityTable(metrics: MetricsFile): string {
  const rows = Object.entries(metrics.by_model).map(([model, m]) => [model, String(m.severity.LOW), String(m.severity.MEDIUM), String(m.severity.HIGH), String(m.severity.total)]);
  return table("table-severity", "Severity distribution of findings per model (paper table B.2)", ["model", "Low", "Medium", "High", "Total"], rows);
}

function cweTable(metrics: MetricsFile): string {
  const rows = Object.entries(metrics.by_cwe).map(([cwe, m]) => [`CWE-${cwe}`, String(m.samples), pct(m.all_pass_rate), pct(m.security_issue_rate), String(m.severity.total), num(m.mean_reward)]);
  return table("table-cwe", "Per task CWE", ["CWE", "samples", "all pass", "security issue", "findings", "mean reward"], rows);
}

function trainingTable(metrics: MetricsFile): string {
  const rows = Object.entries(metrics.by_model).map(([model, m]) => {
    const t = m.training_data;
    return [model, String(t.samples), String(t.compiling), String(t.some_test_passed), String(t.all_tests_passed), String(t.no_findings), String(t.correct_and_secure)];
  });
  return table("table-training", "Training-data statistics per model (paper table 4.4)", ["model", "samples", "compiling", "some test passed", "all tests passed", "compiling, no findings", "correct and secure"], rows);
}

function passKTable(metrics: MetricsFile): string {
  const rows = Object.entries(metrics.by_model_dataset).map(([name, m]) => [
    name,
    ...metrics.pass_k.map((k) => {
      const p = m.pass_at_k[String(k)];
      return p && p.tasks > 0 ? `${pct(p.estimate)} [${pct(p.ci95[0])}, ${pct(p.ci95[1])}] (${p.tasks} tasks)` : "–";
    }),
  ]);
  return table("table-passk", "pass@k (unbiased estimator, 95% normal-approximation CI over tasks)", ["model / dataset", ...metrics.pass_k.map((k) => `pass@${k}`)], rows);
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0 auto;max-width:1200px;padding:1rem 2rem;color:#222}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:1rem 0;font-size:13px}caption{text-align:left;font-weight:bold;padding:.3rem 0}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}th[scope=row],thead th{text-align:left;background:#f4f4f4}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem}.chart{background:#fafafa;border:1px solid #e4e4e4}
pre.code{background:#f6f8fa;border:1px solid #e1e4e8;padding:.6rem;overflow:auto;max-height:30rem;white-space:pre}
details.sample{border:1px solid #ddd;margin:.3rem 0;padding:.3rem .6rem}details.sample summary{cursor:pointer}
.tag{display:inline-block;min-width:7rem;padding:0 .3rem;background:#e8f0fa;border-radius:3px}.tag.err{background:#fbe3e3}
.error{color:#a00}.muted{color:#666}dl.overview{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{font-weight:bold}
.filters{position:sticky;top:0;background:#fff;padding:.4rem 0;z-index:1}.filters input{width:22rem}
table.code{border:1px solid #e1e4e8;background:#f6f8fa;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;width:100%;margin:.3rem 0}
table.code td{border:none;padding:0 .5rem;text-align:left;white-space:pre;vertical-align:top}table.code td.ln{color:#888;text-align:right;user-select:none;width:3rem}
table.code td.mark{color:#a00;font-weight:bold;white-space:nowrap;width:1%}table.code tr.flagged{background:#ffe3e3}table.code tr.flow{background:#fff4d6}
table.rewards td{min-width:6rem}
table.tests pre,table.tests td{text-align:left;white-space:pre-wrap;margin:0;max-width:28rem;font-size:12px}
pre.prompt,pre.completion{background:#f6f8fa;border:1px solid #e1e4e8;padding:.5rem;white-space:pre-wrap;max-height:20rem;overflow:auto}
.role{font-weight:bold;color:#555}ol.flow{margin:.2rem 0 .4rem 1rem;color:#444}.st-timeout{color:#b36b00}
dl.settings{display:grid;grid-template-columns:max-content auto;gap:.1rem 1rem;font-size:13px}dl.settings dd{margin:0;word-break:break-all}
`;

// Filters the drill-down; reads only attributes we wrote, and never puts text into HTML. Every
// query word must match: a CWE ("918", "cwe-918") only as a whole word (89 must not find 892),
// anything else as part of a word (task ids, rule ids, outcomes such as "timeout").
const SCRIPT = `
(function(){
  var q=document.getElementById('filter-text'), s=document.getElementById('filter-outcome'), count=document.getElementById('filter-count');
  var items=Array.prototype.slice.call(document.querySelectorAll('details.sample'));
  var words=items.map(function(el){return el.getAttribute('data-search').split(' ');});
  function matches(tokens, w){
    if(/^(cwe-)?[0-9]+$/.test(w)) return tokens.indexOf(w)>=0;
    for(var i=0;i<tokens.length;i++) if(tokens[i].indexOf(w)>=0) return true;
    return false;
  }
  function apply(){
    var query=q.value.toLowerCase().split(/\\s+/).filter(function(w){return w;}), outcome=s.value, shown=0;
    items.forEach(function(el,i){
      var ok=query.every(function(w){return matches(words[i],w);})&&(!outcome||el.getAttribute('data-outcome')===outcome||el.getAttribute('data-status')===outcome);
      el.hidden=!ok; if(ok) shown++;
    });
    count.textContent=shown+' shown';
  }
  q.addEventListener('input',apply); s.addEventListener('change',apply); apply();
})();
`;

export interface ReportExtras {
  /** The tasks the run judged, for failing tests' inputs and difficulty (analyze loads them). */
  tasks?: TaskLookup;
  /** A ready-made analyses section (securecoderl analyze). */
  analyses?: string;
}

export function renderReport(results: readonly ReportSample[], metrics: MetricsFile, ctx: RunContext, extras: ReportExtras = {}): string {
  const analyzed = (metrics.run.analyzers ?? ctx.analyzers) as AnalyzerName[];
  const errored = results.filter((r) => r.status !== "ok" || r.error !== null);
  const outcomes = [...new Set(results.map(outcomeLabel))].sort();
  const shown = results.slice(0, DRILL_DOWN_LIMIT);
  const issues = ctx.issues.length === 0
    ? "<p>None.</p>"
    : `<ul id="input-issues">${ctx.issues.slice(0, 500).map((i) => `<li><b>${esc(i.source)}</b>: ${esc(i.message)}</li>`).join("")}</ul>${ctx.issues.length > 500 ? `<p>… ${ctx.issues.length - 500} more</p>` : ""}`;
  const errorRows = errored.slice(0, 500).map((r) => [`${r.model} · ${r.dataset} · ${r.task_id} #${r.sample_index}`, r.status, r.error ?? ""]);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SecureCodeRL bench report${metrics.run.name ? ` – ${esc(metrics.run.name)}` : ""}</title>
<style>${STYLE}</style></head><body>
<h1>SecureCodeRL bench report</h1>
${overview(metrics, ctx)}
${settingsHtml(metrics)}
<nav class="toc"><a href="#sec-main">Tables</a> · <a href="#sec-plots">Plots</a> · <a href="#sec-security">Security</a>${extras.analyses ? ` · <a href="#analyses">Analyses</a>` : ""} · <a href="#sec-samples">Samples</a></nav>
<h2 id="sec-main">Function and security (paper tables 4.1 / 4.2)</h2>
${table("table-main", "Per model and dataset", MAIN_HEAD, mainRows(metrics.by_model_dataset))}
${table("table-style", "Per task style (stdin programs vs call-based functions)", MAIN_HEAD, mainRows(metrics.by_style))}
${table("table-overall", "Overall", MAIN_HEAD, mainRows({ all: metrics.overall }))}
${passKTable(metrics)}
${baseExtendedTable(results)}
<h2 id="sec-plots">Plots</h2>
${charts(metrics)}
<h2 id="sec-security">Security</h2>
${severityTable(metrics)}
${cweTable(metrics)}
<h2>Training data</h2>
${trainingTable(metrics)}
${extras.analyses ?? ""}
<h2>Problems</h2>
<h3>Input issues (bad rows, bad sample lines)</h3>
${issues}
<h3>Samples with errors</h3>
${errorRows.length > 0 ? table("table-errors", `Samples with an error (${errored.length})`, ["sample", "status", "error"], errorRows) : "<p>None.</p>"}
<h2 id="sec-samples">Samples</h2>
<div class="filters"><input id="filter-text" type="search" placeholder="search: task id, CWE-918 or 918, rule id (B608), timeout, model" aria-label="filter samples">
<select id="filter-outcome" aria-label="filter by outcome"><option value="">all outcomes</option>${outcomes.map((o) => `<option value="${esc(o)}">${esc(o)}</option>`).join("")}</select> <span id="filter-count"></span></div>
${results.length > shown.length ? `<p>Showing the first ${shown.length} of ${results.length} samples; results.jsonl has them all.</p>` : ""}
${shown.map((r, i) => sampleDetails(r, i, rewardsOf(r, analyzed, extras.tasks?.(r)), extras.tasks?.(r))).join("\n")}
<script>${SCRIPT}</script>
</body></html>
`;
}
