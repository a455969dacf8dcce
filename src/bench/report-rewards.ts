import type { AnalyzerName } from "../analysis/finding.js";
import { computeReward, getSpec, specNames, type RewardSpec } from "../reward/index.js";
import type { Verdict } from "../judge/verdict.js";
import type { DatasetKind, TaskKind } from "../task/schema.js";
import type { SampleResult } from "../verify/types.js";

/**
 * Per-spec rewards for the report and the analyses. New runs store `rewards: {spec: {reward, parts}}`
 * on each sample; older runs do not, so we recompute them from the stored verdict (a reward is a
 * pure function of the verdict, the task's kind and which analyzers looked at the program).
 */

export interface SpecReward {
  reward: number;
  parts: Record<string, number>;
}

/** A results.jsonl line as newer runs write it: the SampleResult plus what the run stored beside it. */
export type ReportSample = SampleResult & {
  prompt?: string | { role: string; content: string }[] | null;
  cached?: boolean;
  rewards?: Record<string, SpecReward>;
};

/** The dataset layout a task kind comes from, when only the kind is known (built-in specs key on kind). */
const SOURCE_OF_KIND: Record<TaskKind, DatasetKind> = { "apps-stdin": "apps", "apps-call": "apps", seccodeplt: "seccodeplt", safesql: "safesql" };

export function taskKeyOf(r: SampleResult): { kind: TaskKind; source: DatasetKind } | null {
  const kind = r.kind as TaskKind | null;
  if (kind === null || !(kind in SOURCE_OF_KIND)) return null;
  return { kind, source: SOURCE_OF_KIND[kind] };
}

export function verdictOf(r: SampleResult): Verdict {
  return {
    task_id: r.task_id,
    code: r.code,
    compiled: r.compiled,
    ...(r.compile_error !== undefined ? { compile_error: r.compile_error } : {}),
    tests: r.tests,
    passed: r.passed,
    total: r.total,
    findings: r.findings,
    ...(r.reward?.parts.judge_error && r.error !== null ? { error: r.error } : {}),
  };
}

function numericParts(parts: Record<string, number | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(parts)) if (typeof v === "number") out[k] = v;
  return out;
}

/** One sample's reward under a spec, recomputed from its verdict; null when it never reached the judge. */
export function rewardUnder(r: SampleResult, spec: RewardSpec, analyzed: readonly AnalyzerName[]): SpecReward | null {
  const key = taskKeyOf(r);
  if (r.status !== "ok" || key === null) return null;
  const value = computeReward(verdictOf(r), key, spec, { analyzed, failed: r.analysis_failed ?? [] });
  return { reward: value.value, parts: numericParts(value.parts) };
}

/**
 * Rewards under every built-in spec (plus the run's own as stored). `analyzed`: the analyzers the
 * run ran, so a spec counting one that did not run gets quality 0 rather than a clean bill.
 */
export function rewardsOf(r: ReportSample, analyzed: readonly AnalyzerName[]): Record<string, SpecReward> {
  if (r.rewards && Object.keys(r.rewards).length > 0) return r.rewards;
  const out: Record<string, SpecReward> = {};
  for (const name of specNames()) {
    const value = rewardUnder(r, getSpec(name), analyzed);
    if (value) out[name] = value;
  }
  if (r.reward && !(r.reward.spec in out)) out[r.reward.spec] = { reward: r.reward.value, parts: numericParts(r.reward.parts) };
  return out;
}
