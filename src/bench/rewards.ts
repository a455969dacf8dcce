import { analyzersFor, computeReward, getSpec, specNames, type RewardSpec } from "../reward/index.js";
import type { AnalyzerName } from "../analysis/finding.js";
import type { Task } from "../task/schema.js";
import type { SampleResult } from "../verify/types.js";
import { contentHash } from "../verify/index.js";

/**
 * Every sample carries its reward under every built-in spec (and the run's own, when custom):
 * a reward is a pure function of the verdict, so the report can put the SecureCodeRL spec and
 * REAL's side by side and say why "reward 1.000" sits next to a flagged program.
 */

export interface SpecReward {
  reward: number;
  parts: Record<string, number>;
}

export type RewardsBySpec = Record<string, SpecReward>;

/** The analyzers a bench run asks for: what every built-in spec counts on these tasks, plus the run's spec and the user's list. */
export function analyzersForEverySpec(requested: readonly AnalyzerName[] | undefined, runSpec: RewardSpec, tasks: readonly Task[]): AnalyzerName[] {
  const set = new Set<AnalyzerName>(requested ?? ["rules", "vuln"]);
  if (requested === undefined) {
    const seen = new Set<string>();
    for (const t of tasks) {
      const key = `${t.kind}/${t.source}`;
      if (seen.has(key)) continue;
      seen.add(key);
      for (const name of specNames()) for (const a of analyzersFor(getSpec(name), t)) set.add(a);
    }
  }
  // The run's own spec always gets what it counts (the verifier adds it per sample anyway).
  for (const t of tasks) for (const a of analyzersFor(runSpec, t)) set.add(a);
  return [...set];
}

function partsOf(parts: Record<string, number | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(parts)) if (typeof v === "number") out[k] = v;
  return out;
}

/**
 * Rewards of one verified sample under each spec. `analyzed` is what the verifier ran on it; a
 * spec counting an analyzer that did not run gets the verifier's treatment of a gap (quality 0,
 * `analysis_error: 1`), never a clean bill.
 */
export function rewardsUnderEverySpec(result: SampleResult, task: Task, runSpec: RewardSpec, analyzed: readonly AnalyzerName[]): RewardsBySpec {
  if (result.status !== "ok" || result.reward === null) return {};
  // The verdict as the verifier had it; `error` only where the verdict carried one (a refusal's does not).
  const verdict = {
    task_id: result.task_id,
    code: result.code,
    compiled: result.compiled,
    ...(result.compile_error !== undefined ? { compile_error: result.compile_error } : {}),
    tests: result.tests,
    passed: result.passed,
    total: result.total,
    findings: result.findings,
    ...(result.reward.parts.judge_error && result.error !== null ? { error: result.error } : {}),
  };
  const ran = [...new Set([...analyzed, ...analyzersFor(runSpec, task)])];
  const out: RewardsBySpec = {};
  for (const name of specNames()) {
    const spec = getSpec(name);
    const r = computeReward(verdict, task, spec, { analyzed: ran, failed: result.analysis_failed ?? [] });
    out[name] = { reward: r.value, parts: partsOf(r.parts) };
  }
  // A custom run spec is listed too, under its name (or beside a built-in it shadows).
  const builtIn = specNames().includes(runSpec.name) ? getSpec(runSpec.name) : undefined;
  if (!builtIn || contentHash(builtIn) !== contentHash(runSpec)) {
    out[builtIn ? `${runSpec.name} (run)` : runSpec.name] = { reward: result.reward.value, parts: partsOf(result.reward.parts) };
  }
  return out;
}
