import type { Task, Test } from "../../task/schema.js";
import { DEFAULT_LIMITS, type JobResult } from "../../sandbox/index.js";
import type { TestKind, TestOutcome } from "../verdict.js";
import { compareValues } from "../compare.js";
import { findReports, runDriver, type DriverReport, type JobLimits, type JobRunner } from "../runner.js";
import { abnormalOutcome, lastErrorLine, outcome } from "./outcome.js";
import { brokenReportOutcome, parseReportedValue, reportedOutcome } from "./reported.js";

/** What the driver found the case expects, computed from setup + testcases before the program ran. */
interface ExpectedCase {
  raises?: string;
  value?: string;
  bad_case?: string;
}

type SecCodeTest = Extract<Test, { type: "seccodeplt" }>;

function secCodeFiles(task: Task, program: string): Record<string, string> {
  return {
    "solution.py": program,
    "setup.py": typeof task.extra.setup === "string" ? task.extra.setup : "",
    "testcases.py": typeof task.extra.testcases === "string" ? task.extra.testcases : "",
  };
}

/** What one job judging every case of a sample found; `fallback` asks for one job per case. */
export type SecCodeSampleResult =
  | { kind: "judged"; tests: TestOutcome[] }
  | { kind: "compile_error"; error: string }
  | { kind: "sandbox_error"; detail: string }
  | { kind: "fallback"; reason: string };

/**
 * Every case of one sample in one sandbox job. The driver compiles the program (a SyntaxError is
 * the sample's compile_error, so no separate compile job runs), computes every expected value from
 * setup + testcases before any program code runs, executes the program and testcases once, and
 * forks one fresh child per case from that state: each case still starts from the program as just
 * defined and cannot see another case's state, files or processes, with its own wall clock, CPU
 * limit and output cap. A program whose definition writes files is judged one job per case instead.
 */
export async function judgeSecCodeSample(runner: JobRunner, task: Task, program: string, limits: JobLimits): Promise<SecCodeSampleResult> {
  const tests = task.tests.filter((t): t is SecCodeTest => t.type === "seccodeplt");
  const base = runner.defaultLimits ?? { ...DEFAULT_LIMITS, cpuSeconds: Math.ceil(DEFAULT_LIMITS.timeoutMs / 1000) + 1 };
  const caseTimeoutMs = limits.timeoutMs ?? base.timeoutMs;
  const cpuSeconds = limits.timeoutMs !== undefined ? Math.ceil(caseTimeoutMs / 1000) + 1 : base.cpuSeconds;
  const entry = task.entryPoint ?? "";
  const spec = {
    entry,
    cases: tests.map((t) => [t.kind, t.index]),
    case_timeout_ms: caseTimeoutMs,
    cpu_seconds: cpuSeconds,
    max_output_bytes: base.maxOutputBytes,
  };
  // The job's own clock covers the definition and every case (each bounded by caseTimeoutMs inside).
  const sandboxLimits = { timeoutMs: caseTimeoutMs * (tests.length + 1) + 1000, cpuSeconds, ...(limits.memoryMb !== undefined ? { memoryMb: limits.memoryMb } : {}) };
  const { result, reports, nonce } = await runDriver(runner, "seccodeplt_batch", spec, secCodeFiles(task, program), { sandboxLimits });
  const compiled = reports.find((r) => typeof r.compiled === "boolean");
  if (!compiled) {
    const abnormal = abnormalOutcome("capability", result);
    return { kind: "sandbox_error", detail: abnormal?.detail ?? (lastErrorLine(result.stderr) || `compile check ended with status ${result.status}`) };
  }
  if (compiled.compiled === false) return { kind: "compile_error", error: String(compiled.error ?? "SyntaxError") };
  const fallback = reports.find((r) => typeof r.fallback === "string");
  if (fallback) return { kind: "fallback", reason: String(fallback.fallback) };
  const expectedList = reports.find((r) => Array.isArray(r.expected))?.expected as ExpectedCase[] | undefined;
  const missing = reports.find((r) => typeof r.missing === "string");
  const caseLines = new Map<number, DriverReport>();
  for (const r of reports) if (typeof r.case === "number") caseLines.set(r.case, r);
  const endedEarly = jobEndOutcome(result);
  const outcomes = tests.map((test, i): TestOutcome => {
    const expected = expectedList?.[i];
    if (expected?.bad_case !== undefined) return outcome(test.kind, "sandbox_error", 0, { detail: `test case could not be evaluated: ${expected.bad_case}` });
    if (missing) return reportedOutcome(test.kind, result, missing, entry)!;
    const line = caseLines.get(i);
    if (!line || !expected) return endedEarly(test.kind, entry);
    return lineOutcome(test.kind, line, expected, nonce, entry);
  });
  return { kind: "judged", tests: outcomes };
}

/** Cases the job never reached: the program's definition raised, exited, or ran out of a limit. */
function jobEndOutcome(result: JobResult): (kind: TestKind, entry: string) => TestOutcome {
  return (kind, entry) => {
    // SIGALRM's default action ends the driver when the definition outlives one case's clock.
    if (result.status === "runtime_error" && result.exception === undefined && /killed by signal SIGALRM/.test(result.stderr)) {
      return outcome(kind, "timeout", result.wall_ms, { detail: "time limit exceeded" });
    }
    return abnormalOutcome(kind, result) ?? reportedOutcome(kind, result, null, entry)!;
  };
}

/** One case's outcome from the line its template wrote: how the forked child ended and what it reported. */
function lineOutcome(kind: TestKind, line: DriverReport, expected: ExpectedCase, nonce: string, entry: string): TestOutcome {
  const ms = typeof line.wall_ms === "number" ? line.wall_ms : 0;
  const stderr = typeof line.stderr === "string" ? line.stderr : "";
  const exitCode = typeof line.exit_code === "number" ? line.exit_code : null;
  const asJob = (status: JobResult["status"], extra: Partial<JobResult> = {}): JobResult => ({ status, exit_code: exitCode, stdout: "", stderr, wall_ms: ms, cpu_ms: 0, max_rss_kb: 0, ...extra });
  switch (line.end) {
    case "timeout":
      return abnormalOutcome(kind, asJob("timeout"))!;
    case "output_limit":
      return abnormalOutcome(kind, asJob("output_limit"))!;
    case "signal":
      return abnormalOutcome(kind, asJob("runtime_error", { stderr: `${stderr}[sandbox] program killed by signal ${String(line.signal)}\n` }))!;
  }
  const reports = findReports(typeof line.result === "string" ? line.result : "", nonce);
  const report = reports[reports.length - 1] ?? null;
  if (report?.memory === true) return abnormalOutcome(kind, asJob("memory_limit"))!;
  if (typeof report?.uncaught === "string") return abnormalOutcome(kind, asJob("runtime_error", { exception: report.uncaught }))!;
  return caseOutcome(kind, asJob("ok"), report, expected, entry);
}

/** SecCodePLT programs are the task's setup followed by the candidate code, as the benchmark runs them. */
export function secCodeProgram(task: Task, code: string): string {
  const setup = typeof task.extra.setup === "string" ? task.extra.setup : "";
  return setup.trim() === "" ? code : `${setup}\n${code}`;
}

/**
 * One capability or safety case. The driver evaluates `testcases` twice: once in a namespace of
 * setup alone, before the program runs, for the expected value or exception class (serialized
 * there, so the program cannot touch it), and once after the program, for the call's kwargs.
 * A case expecting an exception class passes when the call raises it or a subclass; a case
 * expecting a value passes when the serialized return value equals the serialized expected one.
 */
export async function judgeSecCodeCase(
  runner: JobRunner,
  task: Task,
  program: string,
  test: SecCodeTest,
  limits: JobLimits,
): Promise<TestOutcome> {
  const entry = task.entryPoint ?? "";
  const files = secCodeFiles(task, program);
  const spec = { entry, case_kind: test.kind, case_index: test.index };
  const { result, report } = await runDriver(runner, "seccodeplt", spec, files, { limits });
  const abnormal = abnormalOutcome(test.kind, result);
  if (abnormal) return abnormal;
  return caseOutcome(test.kind, result, report, (report?.expected ?? {}) as ExpectedCase, entry);
}

/** A case's outcome from what its run reported and what the case expects. */
function caseOutcome(kind: TestKind, result: JobResult, report: DriverReport | null, expected: ExpectedCase, entry: string): TestOutcome {
  const early = reportedOutcome(kind, result, report, entry);
  if (early) return early;
  const ms = result.wall_ms;
  if (typeof report!.raised === "string") {
    const raised = report!.raised;
    if (expected.raises !== undefined) {
      return report!.matched === true
        ? outcome(kind, "pass", ms, { exception: raised })
        : outcome(kind, "wrong_answer", ms, { exception: raised, detail: `raised ${raised}, expected ${expected.raises}: ${String(report!.message ?? "")}` });
    }
    return outcome(kind, "runtime_error", ms, { exception: raised, detail: `${raised}: ${String(report!.message ?? "")}` });
  }
  if (typeof report!.value !== "string") return brokenReportOutcome(kind, ms, "report without a value");
  if (expected.raises !== undefined) {
    return outcome(kind, "wrong_answer", ms, { detail: `returned ${report!.value.slice(0, 80)} instead of raising ${expected.raises}` });
  }
  if (typeof expected.value !== "string") return outcome(kind, "sandbox_error", ms, { detail: "driver report without an expected value" });
  const actual = parseReportedValue(report!.value);
  if (!actual) return brokenReportOutcome(kind, ms, "value is not JSON");
  const cmp = compareValues(actual.value, JSON.parse(expected.value), { mode: "strict" });
  return cmp.equal ? outcome(kind, "pass", ms) : outcome(kind, "wrong_answer", ms, { detail: cmp.detail ?? "value differs" });
}
