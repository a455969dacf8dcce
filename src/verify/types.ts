import type { AnalyzerName, Finding } from "../analysis/finding.js";
import type { JudgeMode } from "../judge/compare.js";
import type { TestOutcome } from "../judge/verdict.js";
import type { Reward } from "../reward/types.js";

/**
 * How a planned sample ended. Only `ok` samples enter metric denominators: the others never
 * reached the judge (the model server failed, or the sample names a task the run does not have),
 * so they say nothing about the model's code. They are counted and listed apart.
 */
export type SampleStatus = "ok" | "generation_error" | "unknown_task" | "evaluation_error";

/** Task style as the paper's tables split it: stdin programs vs call-based functions. */
export type SampleStyle = "stdin" | "call";

/** Wall time per stage of one sample's evaluation (never part of result equality). */
export interface StageTimings {
  judge_ms: number;
  rules_ms: number;
  vuln_ms: number;
  types_ms: number;
}

/**
 * One line of results.jsonl. A superset of the `verify` contract (task_id, sample_index, compiled,
 * tests[{kind,status,time_ms}], passed, total, findings, reward{value,parts}).
 */
export interface SampleResult {
  task_id: string;
  sample_index: number;
  model: string;
  dataset: string;
  kind: string | null;
  style: SampleStyle | null;
  cwe: string | null;
  status: SampleStatus;
  compiled: boolean;
  compile_error?: string;
  tests: TestOutcome[];
  passed: number;
  total: number;
  findings: Finding[];
  /**
   * The output comparison the tests were judged by, as the verdict carried it (Verdict.mode);
   * written only when it is not `strict` (absent means strict), so that a reward recomputed from
   * this line (src/bench/report-rewards.ts) asks the same comparison as the one stored.
   */
  mode?: JudgeMode;
  /** Null when the sample never reached the judge (status other than ok). */
  reward: Reward | null;
  /** Function bodies empty while the solution runs at module level (the paper's structure finding). */
  module_level_solution: boolean;
  /** Extracted program (null when the completion held none or generation failed). */
  code: string | null;
  completion: string | null;
  /** Per-sample problem: generation failure, unknown task, no code, sandbox trouble, analyzer errors. */
  error: string | null;
  /** What went wrong in analysis (parse trouble, an exceeded time or memory budget, a program too large). */
  analysis_errors: string[];
  /** Analyzers that failed on the compiled program (absent when none did); the reward counted each against it. */
  analysis_failed?: AnalyzerName[];
  timings: StageTimings;
}
