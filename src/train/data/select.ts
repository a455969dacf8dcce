/**
 * SFT data selection (SecureCodeRL paper, table 4.4): keep compiling, high-reward samples, drop
 * duplicates, and split train/validation by task so no prompt leaks from training into validation.
 * Pure functions over plain records: src/train never imports src/bench, the CLI hands samples in.
 */
import { createHash } from "node:crypto";

/** One judged completion, as the CLI reads it from a bench run (or a reference judged there). */
export interface SftSample {
  task_id: string;
  dataset: string;
  kind: string | null;
  prompt: string;
  completion: string;
  /** Extracted program; the SFT target is this code in a fenced block. */
  code: string | null;
  compiled: boolean;
  passed: number;
  total: number;
  reward: number | null;
}

export interface SelectOptions {
  minReward: number;
  /** Validation share (paper: 398 of 3,986, 10%). */
  valFraction: number;
  seed: number;
  /** SafeSQL references: their `execute_sql` is injectable, so it is never a secure answer. */
  safesqlReferences?: ReadonlySet<string>;
}

/** The paper's reward bins: [0,0.2), [0.2,0.4), [0.4,0.6), [0.6,0.8), [0.8,1.0]. */
export const REWARD_BINS = ["0.0-0.2", "0.2-0.4", "0.4-0.6", "0.6-0.8", "0.8-1.0"] as const;

export interface SftStats {
  input_samples: number;
  compiling_samples: number;
  samples_with_tests_passed: number;
  kept_samples: number;
  duplicates_dropped: number;
  safesql_execute_sql_dropped: number;
  train_samples: number;
  validation_samples: number;
  unique_prompts_for_ppo: number;
  train_tasks: number;
  validation_tasks: number;
  tasks_in_both_splits: number;
  /** Over the compiling samples, as in the paper's table. */
  reward_histogram: { range: string; count: number; percent: number }[];
}

export interface SftSplit {
  train: SftSample[];
  validation: SftSample[];
  stats: SftStats;
}

export function binOf(reward: number): number {
  if (!Number.isFinite(reward)) return 0;
  // The last bin is closed so a perfect 1.0 counts in 0.8-1.0; rewards below 0 fall in the first bin.
  const i = Math.floor(Math.max(0, reward) / 0.2);
  return Math.min(i, REWARD_BINS.length - 1);
}

export function rewardHistogram(rewards: readonly number[]): SftStats["reward_histogram"] {
  const counts = REWARD_BINS.map(() => 0);
  for (const r of rewards) counts[binOf(r)]! += 1;
  const n = rewards.length;
  return REWARD_BINS.map((range, i) => ({ range, count: counts[i]!, percent: n === 0 ? 0 : Math.round((counts[i]! / n) * 1000) / 10 }));
}

/** Whitespace-insensitive key: two samples that differ only in blank lines or indentation of blanks are one. */
function dedupeKey(s: SftSample): string {
  const body = (s.code ?? s.completion).split("\n").map((l) => l.trimEnd()).filter((l) => l.length > 0).join("\n");
  return `${s.dataset}\u0000${s.task_id}\u0000${body}`;
}

/** Deterministic task order from the seed: the split depends on (seed, task id) only, not on input order. */
function taskRank(seed: number, taskKey: string): string {
  return createHash("sha256").update(`${seed}:${taskKey}`).digest("hex");
}

function usesExecuteSql(s: SftSample, refs: ReadonlySet<string> | undefined): boolean {
  if (s.kind !== "safesql") return false;
  const code = (s.code ?? s.completion).trim();
  return /\bexecute_sql\s*\(/.test(code) || (refs?.has(code) ?? false);
}

export function selectSft(samples: readonly SftSample[], opts: SelectOptions): SftSplit {
  if (!(opts.valFraction >= 0 && opts.valFraction < 1)) throw new Error(`validation fraction must be in [0, 1), got ${opts.valFraction}`);
  const compiling = samples.filter((s) => s.compiled && s.reward !== null);
  const withTests = compiling.filter((s) => s.total > 0 && s.passed === s.total);
  let safesqlDropped = 0;
  const seen = new Set<string>();
  let duplicates = 0;
  const kept: SftSample[] = [];
  for (const s of compiling) {
    if ((s.reward ?? -Infinity) < opts.minReward) continue;
    if (usesExecuteSql(s, opts.safesqlReferences)) {
      safesqlDropped++;
      continue;
    }
    const key = dedupeKey(s);
    if (seen.has(key)) {
      duplicates++;
      continue;
    }
    seen.add(key);
    kept.push(s);
  }
  const tasks = [...new Set(kept.map((s) => `${s.dataset}\u0000${s.task_id}`))].sort((a, b) => taskRank(opts.seed, a).localeCompare(taskRank(opts.seed, b)));
  // Fill validation with whole tasks until it holds its share of samples, so no task straddles the split.
  const perTask = new Map<string, number>();
  for (const s of kept) perTask.set(`${s.dataset}\u0000${s.task_id}`, (perTask.get(`${s.dataset}\u0000${s.task_id}`) ?? 0) + 1);
  const target = Math.round(kept.length * opts.valFraction);
  const valTasks = new Set<string>();
  let valCount = 0;
  for (const t of tasks) {
    if (valCount >= target) break;
    valTasks.add(t);
    valCount += perTask.get(t)!;
  }
  const train = kept.filter((s) => !valTasks.has(`${s.dataset}\u0000${s.task_id}`));
  const validation = kept.filter((s) => valTasks.has(`${s.dataset}\u0000${s.task_id}`));
  const trainTasks = new Set(train.map((s) => `${s.dataset}\u0000${s.task_id}`));
  const both = [...valTasks].filter((t) => trainTasks.has(t)).length;
  const stats: SftStats = {
    input_samples: samples.length,
    compiling_samples: compiling.length,
    samples_with_tests_passed: withTests.length,
    kept_samples: kept.length,
    duplicates_dropped: duplicates,
    safesql_execute_sql_dropped: safesqlDropped,
    train_samples: train.length,
    validation_samples: validation.length,
    // PPO samples prompts, not answers: every distinct prompt among compiling samples, as in the paper.
    unique_prompts_for_ppo: new Set(compiling.map((s) => s.prompt)).size,
    train_tasks: trainTasks.size,
    validation_tasks: valTasks.size,
    tasks_in_both_splits: both,
    reward_histogram: rewardHistogram(compiling.map((s) => s.reward!)),
  };
  return { train, validation, stats };
}

export function formatStats(st: SftStats): string {
  const lines = [
    "| Metric | Value |",
    "|--------|-------|",
    `| Total compiling samples | ${st.compiling_samples} |`,
    `| Samples with tests passed | ${st.samples_with_tests_passed} |`,
    `| Training samples | ${st.train_samples} |`,
    `| Validation samples | ${st.validation_samples} |`,
    `| Unique prompts for PPO | ${st.unique_prompts_for_ppo} |`,
    "",
    "| Range | Count | Percentage |",
    "|-------|-------|------------|",
    ...st.reward_histogram.map((b) => `| ${b.range} | ${b.count} | ${b.percent.toFixed(1)}% |`),
    "",
    `kept ${st.kept_samples} of ${st.input_samples} (duplicates ${st.duplicates_dropped}, SafeSQL execute_sql ${st.safesql_execute_sql_dropped}); ` +
      `tasks train ${st.train_tasks} / validation ${st.validation_tasks}, in both ${st.tasks_in_both_splits}`,
  ];
  return lines.join("\n");
}
