import type { AnalyzerName } from "../analysis/finding.js";
import { REAL_SPEC, type RewardSpec } from "../reward/index.js";
import type { SampleResult } from "../verify/types.js";
import type { Task } from "../task/schema.js";
import { REWARD_BINS, isAllPass, rewardBin, type RewardBin } from "./metrics.js";
import { rewardUnder, rewardsOf, type ReportSample, type SpecReward } from "./report-rewards.js";

/**
 * The papers' studies as pure functions of a run's stored results (docs/cli/analyze.md): nothing
 * is generated or judged again. Rewards come from each sample's stored per-spec rewards, or are
 * recomputed from its verdict for runs that predate them.
 */

export const ALPHAS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] as const;

export interface RewardDistribution {
  spec: string;
  /** Over every judged sample. */
  all: Record<RewardBin, number>;
  all_total: number;
  /** Over compiling samples only, as the SecureCodeRL paper counted its training set. */
  compiling: Record<RewardBin, number>;
  compiling_total: number;
}

export interface QualityVsFunction {
  spec: string;
  /** Compiling samples with a reward under the spec: (function, quality) pairs. */
  points: Array<{ function: number; quality: number }>;
  /** Pearson correlation of the two scores; null when either is constant. */
  pearson: number | null;
  /** The 2x2 table: all counted tests passed (function = 1) x no counted finding (quality = 1). */
  table: { correct_secure: number; correct_insecure: number; incorrect_secure: number; incorrect_insecure: number };
  /** Quality-0 samples without a counted finding: an analyzer the spec counts did not run (or failed) on them. */
  quality_zero_without_finding: number;
}

export interface AlphaPoint {
  alpha: number;
  mean_reward: number | null;
  /** Mean reward of the 2x2 table's cells: which behaviour a given alpha pays most for. */
  correct_secure: number | null;
  correct_insecure: number | null;
  incorrect_secure: number | null;
  incorrect_insecure: number | null;
}

export interface BreakdownRow {
  key: string;
  samples: number;
  compile_rate: number | null;
  all_pass_rate: number | null;
  /** Share of samples with any finding from any analyzer. */
  finding_rate: number | null;
  mean_reward: Record<string, number | null>;
}

export interface StructureFinding {
  group: string;
  /** Call-style samples that compiled: the ones with a function body to fill. */
  call_samples: number;
  module_level: number;
  rate: number | null;
}

export interface Analyses {
  samples: number;
  specs: string[];
  reward_distribution: RewardDistribution[];
  quality_vs_function: QualityVsFunction;
  alpha_sweep: AlphaPoint[];
  by_cwe: BreakdownRow[];
  by_difficulty: BreakdownRow[];
  structure: StructureFinding[];
}

function emptyBins(): Record<RewardBin, number> {
  return Object.fromEntries(REWARD_BINS.map((b) => [b, 0])) as Record<RewardBin, number>;
}

function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

export function pearson(xs: readonly number[], ys: readonly number[]): number | null {
  const mx = mean(xs);
  const my = mean(ys);
  if (mx === null || my === null || xs.length < 2) return null;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = xs[i]! - mx, dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}

type Cell = keyof QualityVsFunction["table"];

/** Which cell of the 2x2 table a sample's parts fall in (full marks on the function part = correct). */
function cellOf(parts: Record<string, number>): Cell {
  const correct = (parts.function ?? 0) >= 1;
  const secure = (parts.quality ?? 0) >= 1;
  return correct ? (secure ? "correct_secure" : "correct_insecure") : secure ? "incorrect_secure" : "incorrect_insecure";
}

function breakdown(samples: readonly ReportSample[], rewards: readonly Record<string, SpecReward>[], specs: readonly string[], key: (r: SampleResult) => string | null): BreakdownRow[] {
  const groups = new Map<string, number[]>();
  samples.forEach((r, i) => {
    const k = key(r);
    if (k === null) return;
    const list = groups.get(k) ?? [];
    list.push(i);
    groups.set(k, list);
  });
  return [...groups]
    .sort(([a], [b]) => Number(a) - Number(b) || a.localeCompare(b))
    .map(([k, idx]) => {
      const rs = idx.map((i) => samples[i]!);
      const n = rs.length;
      return {
        key: k,
        samples: n,
        compile_rate: n > 0 ? rs.filter((r) => r.compiled).length / n : null,
        all_pass_rate: n > 0 ? rs.filter(isAllPass).length / n : null,
        finding_rate: n > 0 ? rs.filter((r) => r.findings.length > 0).length / n : null,
        mean_reward: Object.fromEntries(specs.map((s) => [s, mean(idx.map((i) => rewards[i]![s]?.reward).filter((v): v is number => v !== undefined))])),
      };
    });
}

export interface AnalyzeOptions {
  /** Analyzers the run ran (a spec counting another one gets quality 0, as the verifier gives it). */
  analyzed: readonly AnalyzerName[];
  /** The task a sample was judged against, when the tasks could be loaded (exact rewards, difficulty). */
  task?: (r: SampleResult) => Task | undefined;
}

export function analyzeResults(results: readonly ReportSample[], opts: AnalyzeOptions): Analyses {
  const ok = results.filter((r) => r.status === "ok");
  const rewards = ok.map((r) => rewardsOf(r, opts.analyzed, opts.task?.(r)));
  const specs = [...new Set(rewards.flatMap((r) => Object.keys(r)))];

  const reward_distribution = specs.map((spec) => {
    const d: RewardDistribution = { spec, all: emptyBins(), all_total: 0, compiling: emptyBins(), compiling_total: 0 };
    ok.forEach((r, i) => {
      const v = rewards[i]![spec];
      if (!v) return;
      const bin = rewardBin(v.reward);
      d.all[bin]++;
      d.all_total++;
      if (r.compiled) {
        d.compiling[bin]++;
        d.compiling_total++;
      }
    });
    return d;
  });

  // REAL's check before training: on compiling samples, do its two scores pull together or apart?
  const realName = REAL_SPEC.name;
  const points: QualityVsFunction["points"] = [];
  const table: QualityVsFunction["table"] = { correct_secure: 0, correct_insecure: 0, incorrect_secure: 0, incorrect_insecure: 0 };
  let gaps = 0;
  ok.forEach((r, i) => {
    const v = rewards[i]![realName];
    if (!r.compiled || !v) return;
    points.push({ function: v.parts.function ?? 0, quality: v.parts.quality ?? 0 });
    table[cellOf(v.parts)]++;
    if (v.parts.analysis_error === 1) gaps++;
  });
  const quality_vs_function: QualityVsFunction = {
    spec: realName,
    points,
    pearson: pearson(points.map((p) => p.function), points.map((p) => p.quality)),
    table,
    quality_zero_without_finding: gaps,
  };

  const alpha_sweep = alphaSweep(ok, opts.analyzed, opts.task);

  return {
    samples: ok.length,
    specs,
    reward_distribution,
    quality_vs_function,
    alpha_sweep,
    by_cwe: breakdown(ok, rewards, specs, (r) => (r.cwe ? `CWE-${r.cwe}` : null)),
    by_difficulty: breakdown(ok, rewards, specs, (r) => (opts.task ? (opts.task(r)?.difficulty ?? "(none)") : null)),
    structure: structure(ok),
  };
}

/** The REAL spec with one quality weight for every task kind (the built-in uses 0.3 for SafeSQL). */
export function realSpecAt(alpha: number): RewardSpec {
  return { ...REAL_SPEC, name: `real@${alpha}`, quality_weight: alpha };
}

/**
 * A sample's reward under the REAL spec at quality weight alpha, from its parts under that spec
 * at any alpha: the parts (function, quality, penalty, trivial) do not depend on alpha, only the
 * mix does, so the verdict is scored once per sample instead of once per alpha. The analyze test
 * checks this equals computeReward at every alpha on real results.
 */
export function rewardAtAlpha(parts: Record<string, number>, alpha: number): number {
  if (parts.penalty !== undefined) return parts.penalty;
  const quality = parts.quality ?? 0;
  const value = parts.trivial === 1 ? alpha * quality : (1 - alpha) * (parts.function ?? 0) + alpha * quality;
  return Math.round(value * 1e9) / 1e9;
}

function alphaSweep(ok: readonly SampleResult[], analyzed: readonly AnalyzerName[], task?: (r: SampleResult) => Task | undefined): AlphaPoint[] {
  const base = realSpecAt(0.5);
  const scored = ok.flatMap((r) => {
    const v = rewardUnder(r, base, analyzed, task?.(r));
    return v ? [{ parts: v.parts, cell: r.compiled ? cellOf(v.parts) : null }] : [];
  });
  return ALPHAS.map((alpha) => {
    const all: number[] = [];
    const cells: Record<Cell, number[]> = { correct_secure: [], correct_insecure: [], incorrect_secure: [], incorrect_insecure: [] };
    for (const s of scored) {
      const reward = rewardAtAlpha(s.parts, alpha);
      all.push(reward);
      if (s.cell) cells[s.cell].push(reward);
    }
    return {
      alpha,
      mean_reward: mean(all),
      correct_secure: mean(cells.correct_secure),
      correct_insecure: mean(cells.correct_insecure),
      incorrect_secure: mean(cells.incorrect_secure),
      incorrect_insecure: mean(cells.incorrect_insecure),
    };
  });
}

/** The SecureCodeRL paper's finding 4: solutions written at module level, function bodies left empty. */
function structure(ok: readonly SampleResult[]): StructureFinding[] {
  const groups = new Map<string, StructureFinding>();
  const add = (group: string, r: SampleResult) => {
    const g = groups.get(group) ?? { group, call_samples: 0, module_level: 0, rate: null };
    g.call_samples++;
    if (r.module_level_solution) g.module_level++;
    groups.set(group, g);
  };
  for (const r of ok) {
    if (!r.compiled || r.style !== "call") continue;
    add("all", r);
    add(`${r.model} / ${r.dataset}`, r);
  }
  for (const g of groups.values()) g.rate = g.call_samples > 0 ? g.module_level / g.call_samples : null;
  return [...groups.values()];
}
