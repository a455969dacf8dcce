import type { AnalyzerName, Finding } from "../analysis/finding.js";
import { judgeSample, testKind, type JobLimits, type JobRunner, type JudgeMode, type Verdict } from "../judge/index.js";
import { extractCode } from "../policy/extract.js";
import { analyzersFor, computeReward, type RewardSpec } from "../reward/index.js";
import type { Task } from "../task/schema.js";
import type { AnalysisRunner, ModuleAnalyzer } from "./analysis-types.js";
import { refuseCode, refuseCompletion, wellFormed, type InputRefusal } from "./input.js";
import type { SampleResult, SampleStyle, StageTimings } from "./types.js";

/**
 * The per-sample pipeline shared by `bench`, `verify`, `serve` and the trainer:
 *   input rules -> extract code -> judge (sandboxed tests) -> static analysis -> reward with parts.
 * Never throws for anything a completion contains; a failure becomes the result's `error`.
 */

/** Type checking is batched by its owner (pyright start-up dwarfs per-file cost): plug it in here. */
export type TypeChecker = (code: string, task: Task) => Promise<{ findings: Finding[]; error?: string }>;

export interface EvaluateDeps {
  pool: JobRunner;
  spec: RewardSpec;
  /**
   * Analyzers to run on compiling code; findings of all of them are reported. What the sample's
   * spec counts for its task always runs too, so a reward never sees "no findings" from an
   * analyzer that was not run.
   */
  analyzers: readonly AnalyzerName[];
  judgeMode?: JudgeMode;
  limits?: JobLimits;
  /** Needed when a sample runs "types". */
  typeChecker?: TypeChecker;
  /** Detector budget per sample (ms). */
  vulnBudgetMs?: number;
  /**
   * Where rules, detector and structure check run: the Verifier's pool of analysis threads. Left
   * out, they run in this thread (loaded on first use).
   */
  analysis?: AnalysisRunner;
  /** Largest program analysed (UTF-8 bytes); larger ones fail analysis. Default 256 KiB. */
  maxAnalysisBytes?: number;
}

export interface SampleMeta {
  sampleIndex: number;
  model: string;
  dataset: string;
  /* Per-sample settings instead of the verifier's own (the reward service takes them per request). */
  spec?: RewardSpec;
  judgeMode?: JudgeMode;
  limits?: JobLimits;
  /** Analyzers instead of the verifier's default set (the spec's own still run). */
  analyzers?: readonly AnalyzerName[];
}

export function styleOf(task: Pick<Task, "kind">): SampleStyle {
  return task.kind === "apps-stdin" || task.kind === "safesql" ? "stdin" : "call";
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function emptyTimings(): StageTimings {
  return { judge_ms: 0, rules_ms: 0, vuln_ms: 0, types_ms: 0 };
}

/** What analysis found besides findings: failures (by analyzer) and the structure check. */
export interface AnalysisNotes {
  errors: string[];
  failed: Set<AnalyzerName>;
  moduleLevelSolution: boolean;
}

let inThread: Promise<AnalysisRunner> | null = null;
function localRunner(): Promise<AnalysisRunner> {
  return (inThread ??= import("./analysis-run.js").then((m) => m.inThreadAnalysis));
}

const MODULE_ANALYZERS: readonly ModuleAnalyzer[] = ["rules", "vuln"];

/**
 * Static analysis of one program with the chosen analyzers (one parse for rules, detector and
 * structure check, on the analysis runner); errors are collected, never thrown. Any error of an
 * analyzer marks it failed, which the reward counts against the sample.
 */
export async function analyzeProgram(code: string, task: Task, deps: EvaluateDeps, timings: StageTimings, notes: AnalysisNotes): Promise<Finding[]> {
  const findings: Finding[] = [];
  const fail = (analyzer: AnalyzerName, msg: string) => {
    notes.errors.push(`${analyzer}: ${msg}`);
    notes.failed.add(analyzer);
  };
  const moduleAnalyzers = MODULE_ANALYZERS.filter((a) => deps.analyzers.includes(a));
  try {
    const runner = deps.analysis ?? (await localRunner());
    const out = await runner.analyze({
      code,
      analyzers: moduleAnalyzers,
      ...(task.entryPoint ? { entryFunction: task.entryPoint } : {}),
      ...(task.cwe ? { cwe: task.cwe } : {}),
      ...(deps.vulnBudgetMs ? { vulnBudgetMs: deps.vulnBudgetMs } : {}),
      ...(deps.maxAnalysisBytes ? { maxBytes: deps.maxAnalysisBytes } : {}),
    });
    findings.push(...out.findings);
    for (const e of out.errors) fail(e.analyzer, e.message);
    notes.moduleLevelSolution = out.moduleLevelSolution;
    timings.rules_ms += out.timings.rules_ms;
    timings.vuln_ms += out.timings.vuln_ms;
  } catch (err) {
    for (const a of moduleAnalyzers) fail(a, message(err));
  }
  if (deps.analyzers.includes("types")) {
    const t0 = performance.now();
    if (!deps.typeChecker) fail("types", "no type checker configured");
    else {
      try {
        const out = await deps.typeChecker(code, task);
        findings.push(...out.findings);
        if (out.error) fail("types", out.error);
      } catch (err) {
        fail("types", message(err));
      }
    }
    timings.types_ms += performance.now() - t0;
  }
  return findings;
}

/** What the sample's spec counts for its task always runs, on top of what the caller asked for. */
function sampleAnalyzers(requested: readonly AnalyzerName[], spec: RewardSpec, task: Task): readonly AnalyzerName[] {
  const needed = analyzersFor(spec, task).filter((a) => !requested.includes(a));
  return needed.length === 0 ? requested : [...requested, ...needed];
}

/** The verdict for a completion the input rules refuse (src/verify/input.ts): no sandbox run, no analysis. */
function refusedVerdict(task: Task, code: string | null, refusal: InputRefusal): Verdict {
  const base = { task_id: task.id, passed: 0, total: task.tests.length, findings: [] };
  if (refusal.as === "no_code") return { ...base, code: null, compiled: false, tests: [] };
  const tests = task.tests.map((t) => ({ kind: testKind(t), status: "compile_error" as const, time_ms: 0, detail: refusal.compileError }));
  return { ...base, code, compiled: false, compile_error: refusal.compileError, tests };
}

export async function evaluateSample(task: Task, rawCompletion: string, deps: EvaluateDeps, meta: SampleMeta): Promise<SampleResult> {
  const spec = meta.spec ?? deps.spec;
  const completion = wellFormed(rawCompletion);
  const timings = emptyTimings();
  const notes: AnalysisNotes = { errors: [], failed: new Set(), moduleLevelSolution: false };
  const refusedCompletion = refuseCompletion(completion);
  const code = refusedCompletion ? null : extractCode(completion, task.entryPoint ? { entryPoint: task.entryPoint } : {});
  const refusal: InputRefusal | null = refusedCompletion ?? (code === null ? { as: "no_code", error: "completion holds no code" } : refuseCode(code));
  let verdict: Verdict;
  const sampleDeps = { ...deps, analyzers: sampleAnalyzers(meta.analyzers ?? deps.analyzers, spec, task) };
  if (refusal) {
    verdict = refusedVerdict(task, code, refusal);
  } else {
    const limits = meta.limits ?? deps.limits;
    const t0 = performance.now();
    let analysisMs = 0;
    verdict = await judgeSample(task, code, deps.pool, {
      mode: meta.judgeMode ?? deps.judgeMode ?? "strict",
      ...(limits ? { limits } : {}),
      analyze: async (program, t) => {
        const a0 = performance.now();
        const found = await analyzeProgram(program, t, sampleDeps, timings, notes);
        analysisMs += performance.now() - a0;
        return found;
      },
    });
    // Analysis runs while the sandbox works on the tests; judge time is the rest of the wall time.
    timings.judge_ms = Math.max(0, performance.now() - t0 - analysisMs);
  }
  // Analysis runs only on code that compiled; any counted analyzer that failed there (or did not
  // run) makes the quality part its worst (docs/rewards.md). A refusal is the completion's doing,
  // never a judging error: its verdict carries no `error`, so the reward is the spec's penalty
  // without the judge_error flag a trainer may drop samples by.
  const failed = [...notes.failed];
  const reward = computeReward(verdict, task, spec, { analyzed: sampleDeps.analyzers, failed });
  const result: SampleResult = {
    task_id: task.id,
    sample_index: meta.sampleIndex,
    model: meta.model,
    dataset: meta.dataset,
    kind: task.kind,
    style: styleOf(task),
    cwe: task.cwe ?? null,
    status: "ok",
    compiled: verdict.compiled,
    tests: verdict.tests,
    passed: verdict.passed,
    total: verdict.total,
    findings: verdict.findings,
    reward,
    module_level_solution: verdict.compiled ? notes.moduleLevelSolution : false,
    // Oversized code is not copied into the result: it would be repeated in every output.
    code: refusal?.as === "compile_error" && refusal.dropCode ? null : verdict.code,
    completion,
    error: refusal?.error ?? verdict.error ?? null,
    analysis_errors: notes.errors,
    timings: roundTimings(timings),
  };
  if (failed.length > 0) result.analysis_failed = failed;
  if (verdict.compile_error !== undefined) result.compile_error = verdict.compile_error;
  if (verdict.mode !== undefined && verdict.mode !== "strict") result.mode = verdict.mode;
  return result;
}

/** A sample that never reached the judge: generation failed, or its task is not in the run. */
export function failedSample(
  fields: { task_id: string; sample_index: number; model: string; dataset: string; task?: Task; completion?: string | null },
  status: Exclude<SampleResult["status"], "ok">,
  error: string,
): SampleResult {
  const task = fields.task;
  return {
    task_id: fields.task_id,
    sample_index: fields.sample_index,
    model: fields.model,
    dataset: fields.dataset,
    kind: task?.kind ?? null,
    style: task ? styleOf(task) : null,
    cwe: task?.cwe ?? null,
    status,
    compiled: false,
    tests: [],
    passed: 0,
    total: task?.tests.length ?? 0,
    findings: [],
    reward: null,
    module_level_solution: false,
    code: null,
    completion: fields.completion ?? null,
    error,
    analysis_errors: [],
    timings: emptyTimings(),
  };
}

function roundTimings(t: StageTimings): StageTimings {
  const r = (x: number) => Math.round(x * 100) / 100;
  return { judge_ms: r(t.judge_ms), rules_ms: r(t.rules_ms), vuln_ms: r(t.vuln_ms), types_ms: r(t.types_ms) };
}
