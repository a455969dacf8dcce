import type { AnalyzerName, Finding } from "../analysis/finding.js";
import { scanSource } from "../analysis/scan/index.js";
import { detect } from "../analysis/vuln/index.js";
import { judgeSample, type JobLimits, type JobRunner, type JudgeMode } from "../judge/index.js";
import { extractCode } from "../policy/extract.js";
import { computeReward, type RewardSpec } from "../reward/index.js";
import type { Task } from "../task/schema.js";
import { hasModuleLevelSolution } from "./structure.js";
import type { SampleResult, SampleStyle, StageTimings } from "./types.js";

/**
 * The per-sample pipeline shared by `bench` and `verify`:
 *   extract code -> judge (sandboxed tests) -> static analysis -> reward with parts.
 * Never throws for anything a completion contains; a failure becomes the result's `error`.
 */

/** Type checking is batched by its owner (pyright start-up dwarfs per-file cost): plug it in here. */
export type TypeChecker = (code: string, task: Task) => Promise<{ findings: Finding[]; error?: string }>;

export interface EvaluateDeps {
  pool: JobRunner;
  spec: RewardSpec;
  /** Analyzers to run on compiling code; findings of all of them are reported, the spec counts its own. */
  analyzers: readonly AnalyzerName[];
  judgeMode?: JudgeMode;
  limits?: JobLimits;
  /** Required when `analyzers` includes "types". */
  typeChecker?: TypeChecker;
  /** Detector budget per sample (ms). */
  vulnBudgetMs?: number;
}

export interface SampleMeta {
  sampleIndex: number;
  model: string;
  dataset: string;
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

/** Static analysis of one program with the chosen analyzers; errors are collected, never thrown. */
export async function analyzeProgram(code: string, task: Task, deps: EvaluateDeps, timings: StageTimings, errors: string[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  if (deps.analyzers.includes("rules")) {
    const t0 = performance.now();
    try {
      // ignoreNosec: a reward that honours `# nosec` teaches a model to write it.
      const out = scanSource(code, { analyzers: ["rules"], ignoreNosec: true, filename: "solution.py" });
      findings.push(...out.findings);
      for (const e of out.errors) errors.push(`rules: ${e.reason}${e.detail ? `: ${e.detail}` : ""}`);
    } catch (err) {
      errors.push(`rules: ${message(err)}`);
    }
    timings.rules_ms += performance.now() - t0;
  }
  if (deps.analyzers.includes("vuln")) {
    const t0 = performance.now();
    try {
      const out = detect(
        code,
        {
          ...(task.entryPoint ? { entryFunction: task.entryPoint } : {}),
          ...(task.cwe ? { cwe: task.cwe } : {}),
          ...(deps.vulnBudgetMs ? { timeBudgetMs: deps.vulnBudgetMs } : {}),
        },
        "solution.py",
      );
      findings.push(...out.findings);
      for (const e of out.errors) errors.push(`vuln: ${e}`);
    } catch (err) {
      errors.push(`vuln: ${message(err)}`);
    }
    timings.vuln_ms += performance.now() - t0;
  }
  if (deps.analyzers.includes("types")) {
    const t0 = performance.now();
    if (!deps.typeChecker) errors.push("types: no type checker configured");
    else {
      try {
        const out = await deps.typeChecker(code, task);
        findings.push(...out.findings);
        if (out.error) errors.push(`types: ${out.error}`);
      } catch (err) {
        errors.push(`types: ${message(err)}`);
      }
    }
    timings.types_ms += performance.now() - t0;
  }
  return findings;
}

export async function evaluateSample(task: Task, completion: string, deps: EvaluateDeps, meta: SampleMeta): Promise<SampleResult> {
  const timings = emptyTimings();
  const analysisErrors: string[] = [];
  const code = extractCode(completion, task.entryPoint ? { entryPoint: task.entryPoint } : {});
  const t0 = performance.now();
  let analysisMs = 0;
  const verdict = await judgeSample(task, code, deps.pool, {
    mode: deps.judgeMode ?? "strict",
    ...(deps.limits ? { limits: deps.limits } : {}),
    analyze: async (program, t) => {
      const a0 = performance.now();
      const found = await analyzeProgram(program, t, deps, timings, analysisErrors);
      analysisMs += performance.now() - a0;
      return found;
    },
  });
  // Analysis runs while the sandbox works on the tests; judge time is the rest of the wall time.
  timings.judge_ms = Math.max(0, performance.now() - t0 - analysisMs);
  const reward = computeReward(verdict, task, deps.spec);
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
    module_level_solution: verdict.code !== null && verdict.compiled ? hasModuleLevelSolution(verdict.code) : false,
    code: verdict.code,
    completion,
    error: verdict.error ?? null,
    analysis_errors: analysisErrors,
    timings: roundTimings(timings),
  };
  if (verdict.compile_error !== undefined) result.compile_error = verdict.compile_error;
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
