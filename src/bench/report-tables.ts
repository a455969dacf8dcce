import type { MetricsFile } from "./outputs.js";
import { FUNCTIONAL_TEST_KINDS } from "../reward/index.js";
import type { SampleResult } from "../verify/types.js";
import { escapeHtml as esc } from "./svg.js";

/** Report sections built from the run's settings and the results themselves (not from metrics.json). */

function pct(x: number | null): string {
  return x === null ? "–" : `${(100 * x).toFixed(1)}%`;
}

function show(value: unknown): string {
  if (value === null || value === undefined || value === "") return "";
  if (typeof value === "string") return value.length > 300 ? `${value.slice(0, 300)}… (${value.length - 300} more characters)` : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === "object" && v !== null ? Object.values(v).filter((x) => x !== null).join(" ") : String(v))).join("; ");
  return JSON.stringify(value);
}

/**
 * Every setting the run stored (model, sampling, spec and its hash, judge, version, commit...).
 * Runs from before settings were stored show nothing here.
 */
export function settingsHtml(metrics: MetricsFile): string {
  const settings = (metrics.run as { settings?: Record<string, unknown> | null }).settings;
  if (!settings) return "";
  const rows: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(settings)) {
    if (key === "reward_spec" && value && typeof value === "object") {
      const spec = value as { name?: string; hash?: string };
      rows.push(["reward spec", `${spec.name ?? "?"} (hash ${spec.hash ?? "?"})`]);
    } else if (key === "prompt_templates" && value && typeof value === "object") {
      const t = Object.entries(value as Record<string, { path?: string; sha256?: string }>);
      rows.push(["prompt templates", t.length === 0 ? "built-in" : t.map(([style, v]) => `${style}: ${v.path ?? "?"} (sha256 ${(v.sha256 ?? "").slice(0, 12)})`).join("; ")]);
    } else {
      const text = show(value);
      if (text !== "") rows.push([key.replace(/_/g, " "), text]);
    }
  }
  return `<details class="settings" open><summary><b>Settings</b></summary><dl class="settings" id="run-settings">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("")}</dl></details>`;
}

interface BaseExtended {
  samples: number;
  basePass: number;
  allPass: number;
  extendedTests: number;
}

/**
 * EvalPlus-style columns: where a dataset's tests come in two tiers (SecCodePLT capability vs
 * safety cases, SafeSQL functional vs attack inputs), the all-pass rate on the base (functional)
 * tests beside the rate on base plus extended; the gap is what the extra tests catch.
 */
export function baseExtended(results: readonly SampleResult[]): Map<string, BaseExtended> {
  const groups = new Map<string, BaseExtended>();
  for (const r of results) {
    if (r.status !== "ok") continue;
    const base = r.tests.filter((t) => FUNCTIONAL_TEST_KINDS.has(t.kind));
    const extended = r.tests.length - base.length;
    const key = `${r.model} / ${r.dataset}`;
    const g = groups.get(key) ?? { samples: 0, basePass: 0, allPass: 0, extendedTests: 0 };
    g.samples++;
    g.extendedTests += extended;
    if (r.compiled && base.length > 0 && base.every((t) => t.status === "pass")) g.basePass++;
    if (r.compiled && r.tests.length > 0 && r.tests.every((t) => t.status === "pass")) g.allPass++;
    groups.set(key, g);
  }
  for (const [k, g] of groups) if (g.extendedTests === 0) groups.delete(k);
  return groups;
}

export function baseExtendedTable(results: readonly SampleResult[]): string {
  const groups = baseExtended(results);
  if (groups.size === 0) return "";
  const rows = [...groups].map(([k, g]) => `<tr><th scope="row">${esc(k)}</th><td>${g.samples}</td><td>${pct(g.basePass / g.samples)}</td><td>${pct(g.allPass / g.samples)}</td><td>${pct((g.basePass - g.allPass) / g.samples)}</td></tr>`);
  return `<table id="table-base-extended"><caption>All tests passed: base (functional) tests vs base + extended (safety / attack) tests, EvalPlus style</caption><thead><tr><th>model / dataset</th><th>samples</th><th>base</th><th>base + extended</th><th>caught only by extended</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}
