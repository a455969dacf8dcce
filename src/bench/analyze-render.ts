import type { Analyses, BreakdownRow } from "./analyze.js";
import { REWARD_BINS } from "./metrics.js";
import { columnChart, escapeHtml as esc, lineChart, rateChart, scatterChart } from "./svg.js";

/** The analyses as a report section plus standalone SVG files (same charts, for papers and slides). */

function pct(x: number | null): string {
  return x === null ? "–" : `${(100 * x).toFixed(1)}%`;
}

function num(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined ? "–" : x.toFixed(digits);
}

function table(id: string, caption: string, head: readonly string[], rows: readonly string[][]): string {
  if (rows.length === 0) return `<p class="empty" id="${id}">${esc(caption)}: no data.</p>`;
  return (
    `<table id="${id}"><caption>${esc(caption)}</caption><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join("")}</tr>`).join("") +
    `</tbody></table>`
  );
}

function breakdownTable(id: string, caption: string, rows: readonly BreakdownRow[], specs: readonly string[], first: string): string {
  return table(
    id,
    caption,
    [first, "samples", "compile", "all pass", "with findings", ...specs.map((s) => `mean reward (${s})`)],
    rows.map((r) => [r.key, String(r.samples), pct(r.compile_rate), pct(r.all_pass_rate), pct(r.finding_rate), ...specs.map((s) => num(r.mean_reward[s]))]),
  );
}

export interface RenderedAnalyses {
  html: string;
  /** file name -> standalone SVG document */
  svgs: Record<string, string>;
}

export function renderAnalyses(a: Analyses): RenderedAnalyses {
  const svgs: Record<string, string> = {};
  const parts: string[] = [];

  parts.push(`<h3>Reward distribution (the SecureCodeRL paper's bins)</h3>`);
  const distRows = a.reward_distribution.flatMap((d) =>
    REWARD_BINS.map((b) => [`${d.spec} · ${b}`, String(d.compiling[b]), pct(d.compiling_total > 0 ? d.compiling[b] / d.compiling_total : null), String(d.all[b]), pct(d.all_total > 0 ? d.all[b] / d.all_total : null)]),
  );
  parts.push(table("analysis-reward-bins", "Reward per bin under each spec: compiling samples (as the paper's table) and all judged samples", ["spec · range", "compiling", "% of compiling", "all", "% of all"], distRows));
  for (const d of a.reward_distribution) {
    const name = `reward-distribution-${d.spec.replace(/[^A-Za-z0-9_.-]/g, "_")}.svg`;
    svgs[name] = columnChart(`Reward distribution, ${d.spec} spec (compiling samples)`, REWARD_BINS.map((b) => ({ label: b, value: d.compiling[b] })), { color: "#3b6ea5" });
  }

  const q = a.quality_vs_function;
  const t = q.table;
  const total = t.correct_secure + t.correct_insecure + t.incorrect_secure + t.incorrect_insecure;
  const share = (n: number) => `${n} (${pct(total > 0 ? n / total : null)})`;
  parts.push(`<h3>Quality score vs function score (REAL's check before training)</h3>`);
  parts.push(
    `<p id="analysis-correlation">Pearson correlation of the function and quality parts under the <b>${esc(q.spec)}</b> spec over ${q.points.length} compiling samples: <b>${q.pearson === null ? "undefined (one score is constant)" : q.pearson.toFixed(3)}</b>. ` +
      `A negative value means the two objectives pull apart on this model's outputs, which REAL warns makes training hard.</p>`,
  );
  parts.push(table("analysis-2x2", "Compiling samples: all counted tests passed x no counted finding", ["", "no finding (quality 1)", "finding or not analysed (quality 0)"], [
    ["all tests passed (function 1)", share(t.correct_secure), share(t.correct_insecure)],
    ["some test failed (function < 1)", share(t.incorrect_secure), share(t.incorrect_insecure)],
  ]));
  if (q.quality_zero_without_finding > 0) {
    parts.push(`<p class="muted" id="analysis-gaps">${q.quality_zero_without_finding} of the quality-0 samples have no counted finding: an analyzer the ${esc(q.spec)} spec counts for their task (e.g. the type checker for call-based APPS) did not run in this run or failed on them, and the spec scores that as quality 0. Run bench with that analyzer (\`--analyzers\`) to score them.</p>`);
  }
  svgs["quality-vs-function.svg"] = scatterChart(`Quality vs function (${q.spec} spec, compiling samples)`, q.points.map((p) => ({ x: p.function, y: p.quality })), { xLabel: "function score", yLabel: "quality score" });

  parts.push(`<h3>α sweep under the REAL spec (stored verdicts re-scored, nothing re-run)</h3>`);
  parts.push(`<p class="muted">R = α·quality + (1 − α)·function with one α for every task kind (the built-in REAL spec uses 0.5, and 0.3 for SafeSQL); penalties unchanged (no code −1, compile error −0.5).</p>`);
  parts.push(table("analysis-alpha", "Mean reward per α, overall and per cell of the 2x2 table", ["α", "mean reward", "correct & secure", "correct & insecure", "incorrect & secure", "incorrect & insecure"],
    a.alpha_sweep.map((p) => [p.alpha.toFixed(1), num(p.mean_reward), num(p.correct_secure), num(p.correct_insecure), num(p.incorrect_secure), num(p.incorrect_insecure)])));
  svgs["alpha-sweep.svg"] = lineChart("Mean reward vs α (REAL spec)", [
    { name: "all samples", points: a.alpha_sweep.map((p) => ({ x: p.alpha, y: p.mean_reward })) },
    { name: "correct & secure", points: a.alpha_sweep.map((p) => ({ x: p.alpha, y: p.correct_secure })) },
    { name: "correct & insecure", points: a.alpha_sweep.map((p) => ({ x: p.alpha, y: p.correct_insecure })) },
    { name: "incorrect & secure", points: a.alpha_sweep.map((p) => ({ x: p.alpha, y: p.incorrect_secure })) },
    { name: "incorrect & insecure", points: a.alpha_sweep.map((p) => ({ x: p.alpha, y: p.incorrect_insecure })) },
  ], { xLabel: "α (quality weight)", yLabel: "mean reward" });

  parts.push(`<h3>Per CWE and per difficulty</h3>`);
  parts.push(breakdownTable("analysis-cwe", "Per task CWE", a.by_cwe, a.specs, "CWE"));
  parts.push(breakdownTable("analysis-difficulty", "Per task difficulty (\"(none)\": the dataset gives no difficulty)", a.by_difficulty, a.specs, "difficulty"));
  if (a.by_cwe.length > 0) svgs["cwe-finding-rate.svg"] = rateChart("Share of samples with findings, per task CWE", a.by_cwe.map((r) => ({ label: r.key, value: r.finding_rate ?? 0, text: pct(r.finding_rate) })));

  parts.push(`<h3>Structure: module-level solutions with empty function bodies</h3>`);
  parts.push(table("analysis-structure", "Compiling call-style samples whose solution runs at module level while the function bodies stay empty (the SecureCodeRL paper's finding 4)", ["group", "call-style samples", "module-level", "rate"],
    a.structure.map((s) => [s.group, String(s.call_samples), String(s.module_level), pct(s.rate)])));

  const charts = Object.values(svgs).join("");
  const html = `<section id="analyses"><h2>Analyses</h2><p>${a.samples} judged samples; rewards under ${a.specs.map(esc).join(", ")}.</p><div class="charts">${charts}</div>${parts.join("\n")}</section>`;
  return { html, svgs };
}
