import type { AnalyzerName } from "../analysis/finding.js";
import { computeReward, getSpec, qualityWeightFor, specNames, type RewardSpec } from "../reward/index.js";
import type { Verdict } from "../judge/verdict.js";
import type { DatasetKind, Task, TaskKind } from "../task/schema.js";
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
    // The comparison the tests were judged by decides which passes a guess would have made
    // (src/reward/trivial.ts): without it an `apps`-judged sample is rewarded as if strict.
    ...(r.mode !== undefined ? { mode: r.mode } : {}),
    ...(r.reward?.parts.judge_error && r.error !== null ? { error: r.error } : {}),
  };
}

function numericParts(parts: Record<string, number | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(parts)) if (typeof v === "number") out[k] = v;
  return out;
}

/**
 * One sample's reward under a spec, recomputed from its verdict; null when it never reached the
 * judge. With the task the computation is exact. Without it the entry point is unknown, so a
 * stub like `def f(s): pass` would not be seen as trivial; the run's own reward already said
 * whether the code is trivial (that does not depend on the spec), so its flag is carried over
 * and the spec's rule for trivial code applied (as computeReward does: function 0, quality 0
 * unless the spec credits it, or the spec's trivial penalty).
 */
export function rewardUnder(r: SampleResult, spec: RewardSpec, analyzed: readonly AnalyzerName[], task?: Task): SpecReward | null {
  const key = taskKeyOf(r);
  if (r.status !== "ok" || key === null) return null;
  const value = computeReward(verdictOf(r), task ?? key, spec, { analyzed, failed: r.analysis_failed ?? [] });
  const parts = numericParts(value.parts);
  if (!task && r.reward?.parts.trivial === 1 && parts.trivial !== 1 && parts.penalty === undefined) {
    parts.trivial = 1;
    parts.function = 0;
    if (!spec.credit_quality_for_trivial) parts.quality = 0;
    if (spec.penalties.trivial !== null) return { reward: spec.penalties.trivial, parts: { ...parts, penalty: spec.penalties.trivial } };
    return { reward: Math.round(qualityWeightFor(spec, key) * parts.quality! * 1e9) / 1e9, parts };
  }
  return { reward: value.value, parts };
}

/**
 * Rewards under every built-in spec, the run's own spec as stored (verify's value, built-in or
 * custom), the others recomputed. `analyzed`: the analyzers the run ran, so a spec counting one
 * that did not run gets quality 0 rather than a clean bill.
 */
export function rewardsOf(r: ReportSample, analyzed: readonly AnalyzerName[], task?: Task): Record<string, SpecReward> {
  if (r.rewards && Object.keys(r.rewards).length > 0) return r.rewards;
  const out: Record<string, SpecReward> = {};
  for (const name of specNames()) {
    const value = rewardUnder(r, getSpec(name), analyzed, task);
    if (value) out[name] = value;
  }
  // The run's own spec: the reward verify computed, never a recomputation (which, without the
  // task, cannot see which passes a task-independent guess would have made).
  if (r.reward) out[r.reward.spec] = { reward: r.reward.value, parts: numericParts(r.reward.parts) };
  return out;
}
