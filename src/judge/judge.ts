import type { Task, Test } from "../task/schema.js";
import type { Finding } from "../analysis/finding.js";
import type { TestKind, TestOutcome, Verdict } from "./verdict.js";
import type { JudgeMode } from "./compare.js";
import { runDriver, type JobLimits, type JobRunner } from "./runner.js";
import { judgeCallTest, judgeStdinTest } from "./harness/apps.js";
import { judgeSecCodeCase, judgeSecCodeSample, secCodeProgram } from "./harness/seccodeplt.js";
import { judgeSafeSqlAttack, judgeSafeSqlFunctional, type SafeSqlRunCache } from "./harness/safesql.js";
import { abnormalOutcome, lastErrorLine, outcome } from "./harness/outcome.js";

export interface JudgeOptions {
  /** Output comparison: `strict` (default) or `apps` (the original APPS harness's fallbacks). */
  mode?: JudgeMode;
  /** Per-test limits; the pool's defaults apply to anything left out. */
  limits?: JobLimits;
  /**
   * Static analysis seam: called once per compiled program, its findings go into the verdict.
   * The judge itself never analyzes code; the verify command and reward stages plug analyzers in here.
   */
  analyze?: (code: string, task: Task) => Promise<Finding[]>;
}

/** The kind recorded for a test in a verdict. */
export function testKind(test: Test): TestKind {
  return test.type === "seccodeplt" || test.type === "safesql" ? test.kind : "test";
}

/** The program that actually runs for a task: SecCodePLT candidates run after the task's setup. */
export function programFor(task: Task, code: string): string {
  return task.kind === "seccodeplt" ? secCodeProgram(task, code) : code;
}

function allTests(task: Task, status: TestOutcome["status"], detail: string): TestOutcome[] {
  return task.tests.map((t) => outcome(testKind(t), status, 0, { detail }));
}

function verdictOf(task: Task, code: string | null, compiled: boolean, tests: TestOutcome[], findings: Finding[] = []): Verdict {
  return {
    task_id: task.id,
    code,
    compiled,
    tests,
    passed: tests.filter((t) => t.status === "pass").length,
    total: task.tests.length,
    findings,
  };
}

/** CPython's verdict on the program's syntax, decided by compile() inside the sandbox. */
async function compileCheck(runner: JobRunner, program: string, limits: JobLimits): Promise<{ compiled: boolean; error?: string; sandboxError?: string }> {
  const { result, report } = await runDriver(runner, "compile", {}, { "solution.py": program }, { limits });
  if (report && typeof report.compiled === "boolean") {
    return report.compiled ? { compiled: true } : { compiled: false, error: String(report.error ?? "SyntaxError") };
  }
  const abnormal = abnormalOutcome("test", result);
  return { compiled: false, sandboxError: abnormal?.detail ?? (lastErrorLine(result.stderr) || `compile check ended with status ${result.status}`) };
}

async function judgeTest(runner: JobRunner, task: Task, program: string, test: Test, mode: JudgeMode, limits: JobLimits, cache: SafeSqlRunCache): Promise<TestOutcome> {
  switch (test.type) {
    case "stdin":
      return judgeStdinTest(runner, program, test, mode, limits);
    case "call":
      return judgeCallTest(runner, task, program, test, mode, limits);
    case "seccodeplt":
      return judgeSecCodeCase(runner, task, program, test, limits);
    case "safesql":
      return test.kind === "attack"
        ? judgeSafeSqlAttack(runner, task, program, test, limits, cache)
        : judgeSafeSqlFunctional(runner, task, program, test, mode, limits, cache);
  }
}

/**
 * Judges one extracted program against every test of its task, each test in its own sandboxed
 * job. `code` is the extracted code (null when the completion held none). Never throws for
 * anything the program does; sandbox failures become `sandbox_error` outcomes.
 */
export async function judgeSample(task: Task, code: string | null, runner: JobRunner, opts: JudgeOptions = {}): Promise<Verdict> {
  const verdict = await judgeProgram(task, code, runner, opts);
  return { ...verdict, mode: opts.mode ?? "strict" };
}

async function judgeProgram(task: Task, code: string | null, runner: JobRunner, opts: JudgeOptions): Promise<Verdict> {
  const mode = opts.mode ?? "strict";
  const limits = opts.limits ?? {};
  if (code === null || code.trim() === "") {
    return { ...verdictOf(task, null, false, []), error: "completion holds no code" };
  }
  const program = programFor(task, code);
  const analyze = () => (opts.analyze ? opts.analyze(code, task) : Promise.resolve([] as Finding[]));
  if (task.kind === "seccodeplt" && task.tests.every((t) => t.type === "seccodeplt")) {
    // One job for the whole sample (compile check included); see judgeSecCodeSample.
    const batch = await judgeSecCodeSample(runner, task, program, limits);
    if (batch.kind === "sandbox_error") {
      return { ...verdictOf(task, code, false, allTests(task, "sandbox_error", batch.detail)), error: `sandbox: ${batch.detail}` };
    }
    if (batch.kind === "compile_error") return { ...verdictOf(task, code, false, allTests(task, "compile_error", batch.error)), compile_error: batch.error };
    return verdictOf(task, code, true, batch.tests, await analyze());
  }
  const judgeOne = (t: Test) => judgeTest(runner, task, program, t, mode, limits, cache).catch((err: unknown) =>
    outcome(testKind(t), "sandbox_error", 0, { detail: `judge failure: ${err instanceof Error ? err.message : String(err)}` }));
  const cache: SafeSqlRunCache = new Map();
  const [first, ...others] = task.tests;
  if (first !== undefined && task.tests.every((t) => t.type === "stdin" || t.type === "call" || t.type === "safesql")) {
    // The first test's job is also the compile check (CPython compiles the program before running
    // it and says so apart from any runtime error), so a sample costs no extra job for it; the other
    // tests run once it says the program compiled. SafeSQL runs are cached by input, so the other
    // tests reuse the first test's runs where their inputs are the same.
    const firstOutcome = await judgeOne(first);
    if (firstOutcome.status === "compile_error") {
      const error = firstOutcome.detail ?? "SyntaxError";
      return { ...verdictOf(task, code, false, allTests(task, "compile_error", error)), compile_error: error };
    }
    const [rest, findings] = await Promise.all([Promise.all(others.map(judgeOne)), analyze()]);
    return verdictOf(task, code, true, [firstOutcome, ...rest], findings);
  }
  const check = await compileCheck(runner, program, limits);
  if (check.sandboxError !== undefined) {
    return { ...verdictOf(task, code, false, allTests(task, "sandbox_error", check.sandboxError)), error: `sandbox: ${check.sandboxError}` };
  }
  if (!check.compiled) {
    const v = verdictOf(task, code, false, allTests(task, "compile_error", check.error ?? "SyntaxError"));
    return { ...v, compile_error: check.error };
  }
  const [tests, findings] = await Promise.all([Promise.all(task.tests.map(judgeOne)), analyze()]);
  return verdictOf(task, code, true, tests, findings);
}
