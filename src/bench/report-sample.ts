import type { Finding } from "../analysis/finding.js";
import type { TestOutcome } from "../judge/verdict.js";
import type { Task, Test } from "../task/schema.js";
import type { SampleResult } from "../verify/types.js";
import type { ReportSample, SpecReward } from "./report-rewards.js";
import { escapeHtml as esc } from "./svg.js";

/**
 * One sample's drill-down: what the model was asked, what it wrote (numbered, findings marked on
 * their lines), which tests failed with their input and expected/actual output, each taint path
 * step by step, and the reward's parts under every spec. All sample text is escaped: it is untrusted.
 */

/** Finds the task a sample was judged against (for test inputs); absent when tasks were not loaded. */
export type TaskLookup = (r: SampleResult) => Task | undefined;

const CODE_LINE_LIMIT = 1500;
const TEXT_LIMIT = 600;
const FAILING_TEST_LIMIT = 20;

export function clipText(text: string, limit = TEXT_LIMIT): string {
  return text.length > limit ? `${text.slice(0, limit)}… (${text.length - limit} more characters)` : text;
}

export function outcomeLabel(r: SampleResult): string {
  if (r.status !== "ok") return r.status;
  if (r.code === null) return "no code";
  if (!r.compiled) return "compile error";
  if (r.total > 0 && r.passed === r.total) return r.findings.length > 0 ? "pass, findings" : "pass";
  return r.findings.length > 0 ? "fail, findings" : "fail";
}

/**
 * Words the search box matches: model, dataset, task id, outcome, task and finding CWEs (both
 * "cwe-918" and "918"), rule ids, analyzers and test statuses (so "timeout" finds samples with a
 * test that timed out).
 */
export function searchTerms(r: SampleResult): string {
  const words = new Set<string>([r.model, r.dataset, r.task_id, outcomeLabel(r), r.status]);
  const cwes = new Set<string>();
  if (r.cwe) cwes.add(r.cwe);
  for (const f of r.findings) {
    words.add(f.test_id);
    words.add(f.analyzer);
    if (f.issue_cwe?.id !== undefined) cwes.add(String(f.issue_cwe.id));
  }
  for (const c of cwes) {
    words.add(c);
    words.add(`cwe-${c}`);
  }
  for (const t of r.tests) words.add(t.status);
  if (r.module_level_solution) words.add("module-level");
  return [...words].join(" ").toLowerCase();
}

function promptHtml(prompt: ReportSample["prompt"]): string {
  if (prompt === undefined) return `<p class="muted">This run did not store prompts.</p>`;
  if (prompt === null) return `<p class="muted">No prompt: the completion was replayed from a samples file.</p>`;
  if (typeof prompt === "string") return `<pre class="prompt">${esc(clipText(prompt, 8000))}</pre>`;
  return prompt.map((m) => `<div class="msg"><span class="role">${esc(m.role)}</span><pre class="prompt">${esc(clipText(m.content, 8000))}</pre></div>`).join("");
}

/** The program with line numbers; lines a finding or a taint step points at are marked and annotated. */
function codeHtml(code: string, findings: readonly Finding[]): string {
  const lines = code.split("\n");
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  const notes = new Map<number, string[]>();
  const flowLines = new Set<number>();
  const note = (line: number, text: string) => {
    const list = notes.get(line) ?? [];
    if (!list.includes(text)) list.push(text);
    notes.set(line, list);
  };
  for (const f of findings) {
    note(f.line_number, `${f.test_id} ${f.issue_severity}`);
    for (const step of f.flow ?? []) flowLines.add(step.line);
  }
  const shown = lines.slice(0, CODE_LINE_LIMIT);
  const rows = shown.map((text, i) => {
    const n = i + 1;
    const marks = notes.get(n);
    const cls = marks ? "flagged" : flowLines.has(n) ? "flow" : "";
    return `<tr${cls ? ` class="${cls}"` : ""} data-line="${n}"><td class="ln">${n}</td><td class="src">${esc(text)}</td><td class="mark">${marks ? esc(marks.join(", ")) : flowLines.has(n) ? "taint path" : ""}</td></tr>`;
  });
  const more = lines.length > shown.length ? `<p class="muted">… ${lines.length - shown.length} more lines</p>` : "";
  return `<table class="code"><tbody>${rows.join("")}</tbody></table>${more}`;
}

function testInput(test: Test | undefined): { input: string; expected: string } | null {
  if (!test) return null;
  switch (test.type) {
    case "stdin":
      return { input: test.input, expected: test.output };
    case "call":
      return { input: `(${test.args.map((a) => JSON.stringify(a)).join(", ")})`, expected: JSON.stringify(test.expected) ?? "undefined" };
    case "safesql":
      return { input: test.input, expected: test.output ?? "(any output; the attack must not succeed)" };
    case "seccodeplt":
      return { input: `SecCodePLT ${test.kind} case #${test.index} (defined in the task's test source)`, expected: "as the case states" };
  }
}

/** The judge keeps "expected X, got Y" (the first differing line) in `detail`; split it for the table. */
function actualOf(t: TestOutcome): string {
  const detail = t.detail ?? "";
  const got = detail.lastIndexOf(", got ");
  const actual = got >= 0 ? detail.slice(got + 6) : detail;
  return t.exception ? `${t.exception}${actual ? `: ${actual}` : ""}` : actual || t.status;
}

function testsHtml(r: SampleResult, task: Task | undefined): string {
  const failing = r.tests.map((t, i) => ({ t, i })).filter(({ t }) => t.status !== "pass");
  if (failing.length === 0) return r.tests.length > 0 ? `<p>All ${r.tests.length} tests passed.</p>` : `<p class="muted">No tests ran.</p>`;
  const tests = task && task.tests.length === r.tests.length ? task.tests : undefined;
  const rows = failing.slice(0, FAILING_TEST_LIMIT).map(({ t, i }) => {
    const io = testInput(tests?.[i]);
    const detail = t.detail ?? "";
    const where = detail.startsWith("line ") ? detail.slice(0, detail.indexOf(":") + 1) : "";
    return `<tr><td>${i}</td><td>${esc(t.kind)}</td><td class="st-${esc(t.status)}">${esc(t.status)}</td>` +
      `<td><pre>${io ? esc(clipText(io.input)) : '<span class="muted">(task not loaded)</span>'}</pre></td>` +
      `<td><pre>${io ? esc(clipText(io.expected)) : esc(clipText(detail.replace(/, got .*$/s, "")))}</pre></td>` +
      `<td><pre>${esc(clipText(`${where ? `${where} ` : ""}${actualOf(t)}`))}</pre></td></tr>`;
  });
  const more = failing.length > FAILING_TEST_LIMIT ? `<p class="muted">… ${failing.length - FAILING_TEST_LIMIT} more failing tests</p>` : "";
  return `<table class="tests"><thead><tr><th>#</th><th>kind</th><th>status</th><th>input</th><th>expected</th><th>actual</th></tr></thead><tbody>${rows.join("")}</tbody></table>${more}`;
}

function findingsHtml(findings: readonly Finding[]): string {
  if (findings.length === 0) return "<p>No findings.</p>";
  return `<ul class="findings">${findings
    .map((f) => {
      const flow = f.flow && f.flow.length > 0
        ? `<ol class="flow">${f.flow.map((s) => `<li>line ${s.line}:${s.col} ${esc(s.message)}</li>`).join("")}</ol>`
        : "";
      return `<li><b>${esc(f.test_id)}</b> ${esc(f.issue_severity)}/${esc(f.issue_confidence)} CWE-${esc(String(f.issue_cwe?.id ?? "?"))} line ${f.line_number} (${esc(f.analyzer)}): ${esc(f.issue_text)}${flow}</li>`;
    })
    .join("")}</ul>`;
}

const PART_ORDER = ["function", "quality", "function_weight", "quality_weight", "penalty", "severity_weight", "findings_counted", "tests_counted", "tests_passed_counted"];

function rewardsHtml(rewards: Record<string, SpecReward>): string {
  const specs = Object.keys(rewards);
  if (specs.length === 0) return `<p class="muted">No reward (the sample never reached the judge).</p>`;
  const keys = [...new Set(specs.flatMap((s) => Object.keys(rewards[s]!.parts)))].sort((a, b) => {
    const ia = PART_ORDER.indexOf(a), ib = PART_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  const fmt = (v: number | undefined) => (v === undefined ? "–" : Number.isInteger(v) ? String(v) : v.toFixed(3));
  // One column per spec, one row per part: specs side by side however many parts they report.
  return `<table class="rewards"><thead><tr><th>part</th>${specs.map((s) => `<th scope="col">${esc(s)}</th>`).join("")}</tr></thead><tbody>` +
    `<tr class="total"><th scope="row">reward</th>${specs.map((s) => `<td><b>${fmt(rewards[s]!.reward)}</b></td>`).join("")}</tr>` +
    keys.map((k) => `<tr><th scope="row">${esc(k)}</th>${specs.map((s) => `<td>${fmt(rewards[s]!.parts[k])}</td>`).join("")}</tr>`).join("") +
    `</tbody></table>`;
}

export function sampleDetails(r: ReportSample, index: number, rewards: Record<string, SpecReward>, task: Task | undefined): string {
  const headline = Object.entries(rewards).map(([s, v]) => `${s} ${v.reward.toFixed(3)}`).join(" · ") || "–";
  const body = r.code !== null
    ? codeHtml(r.code, r.findings)
    : r.completion !== null
      ? `<p>Completion (no code extracted):</p><pre class="completion">${esc(clipText(r.completion, 20_000))}</pre>`
      : "";
  return `<details class="sample" data-status="${esc(r.status)}" data-outcome="${esc(outcomeLabel(r))}" data-search="${esc(searchTerms(r))}" id="s${index}">
<summary><span class="tag ${r.status === "ok" ? "" : "err"}">${esc(outcomeLabel(r))}</span> ${esc(r.model)} · ${esc(r.dataset)} · task ${esc(r.task_id)} #${r.sample_index} · tests ${r.passed}/${r.total} · findings ${r.findings.length} · reward ${esc(headline)}</summary>
${r.error ? `<p class="error">Error: ${esc(r.error)}</p>` : ""}${r.compile_error ? `<p class="error">Compile error: ${esc(r.compile_error)}</p>` : ""}
<p>${r.cwe ? `Task CWE-${esc(r.cwe)} · ` : ""}${task?.difficulty ? `difficulty ${esc(task.difficulty)} · ` : ""}${r.cached ? "completion from the cache · " : ""}${r.module_level_solution ? "solution at module level, function bodies empty" : ""}</p>
<h4>Reward under each spec</h4>${rewardsHtml(rewards)}
<h4>Prompt</h4>${promptHtml(r.prompt)}
<h4>Code</h4>${body}
<h4>Failing tests</h4>${testsHtml(r, task)}
<h4>Findings</h4>${findingsHtml(r.findings)}${r.analysis_errors.length > 0 ? `<p class="muted">Analyzer notes: ${esc(r.analysis_errors.slice(0, 5).join("; "))}</p>` : ""}
</details>`;
}
