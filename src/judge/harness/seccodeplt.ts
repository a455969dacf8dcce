import type { Task, Test } from "../../task/schema.js";
import { DEFAULT_LIMITS, wallBackstopMs, type JobResult } from "../../sandbox/index.js";
import type { TestKind, TestOutcome } from "../verdict.js";
import { compareValues } from "../compare.js";
import { findReports, runDriver, type DriverReport, type JobLimits, type JobRunner } from "../runner.js";
import { abnormalOutcome, lastErrorLine, outcome } from "./outcome.js";
import { brokenReportOutcome, parseReportedValue, reportedOutcome } from "./reported.js";
import { inputsSource, raisedMatches, secCodeReference, secCodeTests, shuffled, type ExpectedCase, type SecCodeInputs, type SecCodeReference } from "./seccodeplt-reference.js";

type SecCodeTest = Extract<Test, { type: "seccodeplt" }>;

/**
 * CPU budget of one SecCodePLT case, capped by the sample's own timeout. A case is one call on
 * small inputs: over the 1,310 SecCodePLT+ programs (patched and vulnerable) every case that ends
 * uses at most 178 ms of CPU (one CWE-77 task; the next is 21 ms), while the vulnerable ReDoS
 * (CWE-1333) versions never end. 1 s leaves the slowest secure reference 5.6x headroom and stops
 * a runaway case after 1 s of CPU instead of the whole timeout (4 s by default): those cases were
 * half the sandbox CPU of a SecCodePLT+ pass.
 */
export const SECCODEPLT_CASE_CPU_MS = 1000;

/**
 * The candidate job's files: the program (setup included) and the kwargs of the given tests alone,
 * never the task's own testcases.py, which holds the expected values and the cases' kinds.
 */
function secCodeFiles(program: string, inputs: SecCodeInputs, tests: number[]): Record<string, string> {
  return { "solution.py": program, "testcases.py": inputsSource(inputs, tests) };
}

type SeparatedReference = SecCodeReference & { inputs: SecCodeInputs };

/** The reference, or the reason the task's cases cannot be judged (a judge failure, never the program's). */
async function referenceOrError(runner: JobRunner, task: Task, limits: JobLimits): Promise<SeparatedReference | string> {
  try {
    const reference = await secCodeReference(runner, task, limits);
    return reference.inputs === null ? "testcases is not the literal `testcases = {kind: [(kwargs, expected), ...]}`" : { ...reference, inputs: reference.inputs };
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** What one job judging every case of a sample found. */
export type SecCodeSampleResult =
  | { kind: "judged"; tests: TestOutcome[] }
  | { kind: "compile_error"; error: string }
  | { kind: "sandbox_error"; detail: string };

/**
 * Every case of one sample in one sandbox job. Expected values come from the task's reference job
 * (see secCodeReference), which never runs candidate code; this job never sees them. The driver
 * compiles the program (a SyntaxError is the sample's compile_error, so no separate compile job
 * runs) and the shuffled kwargs list, never runs either itself, and forks one fresh child per case
 * that defines the program and calls it: each case starts from the program as just defined and
 * cannot see another case's state, files or processes, with its own CPU budget, wall-clock
 * backstop and output cap (docs/judges.md). How each case ended comes from the driver's trusted
 * lines alone; what a case returned is the candidate's own word, compared here.
 */
export async function judgeSecCodeSample(runner: JobRunner, task: Task, program: string, limits: JobLimits): Promise<SecCodeSampleResult> {
  const tests = secCodeTests(task);
  const reference = await referenceOrError(runner, task, limits);
  if (typeof reference === "string") return { kind: "sandbox_error", detail: reference };
  const base = runner.defaultLimits ?? { ...DEFAULT_LIMITS, cpuSeconds: Math.ceil(DEFAULT_LIMITS.timeoutMs / 1000) + 1 };
  const caseTimeoutMs = limits.timeoutMs ?? base.timeoutMs;
  const cpuSeconds = limits.timeoutMs !== undefined ? Math.ceil(caseTimeoutMs / 1000) + 1 : base.cpuSeconds;
  const entry = task.entryPoint ?? "";
  // The job sees only the kwargs of the cases it runs, in a fresh random order: position p of its
  // list is test order[p], a mapping that never leaves this process.
  const order = shuffled(reference.expected.flatMap((e, i) => ("bad_case" in e ? [] : [i])));
  const caseCpuMs = Math.min(caseTimeoutMs, SECCODEPLT_CASE_CPU_MS);
  const spec = {
    entry,
    cases: order.length,
    case_cpu_ms: caseCpuMs,
    case_wall_ms: wallBackstopMs(caseCpuMs),
    cpu_seconds: cpuSeconds,
    max_output_bytes: base.maxOutputBytes,
  };
  // The job's own CPU budget covers the definition (one case's timeout) and every case (each bounded
  // by caseCpuMs inside); its wall-clock backstop (wallBackstopMs of that) stops cases that sleep.
  const sandboxLimits = { timeoutMs: caseTimeoutMs + caseCpuMs * tests.length + 1000, cpuSeconds, ...(limits.memoryMb !== undefined ? { memoryMb: limits.memoryMb } : {}) };
  const { result, reports } = await runDriver(runner, "seccodeplt_batch", spec, secCodeFiles(program, reference.inputs, order), { sandboxLimits });
  const compiled = reports.find((r) => typeof r.compiled === "boolean");
  if (!compiled) {
    const abnormal = abnormalOutcome("capability", result);
    return { kind: "sandbox_error", detail: abnormal?.detail ?? (lastErrorLine(result.stderr) || `compile check ended with status ${result.status}`) };
  }
  if (compiled.compiled === false) return { kind: "compile_error", error: String(compiled.error ?? "SyntaxError") };
  const expectedList = reference.expected;
  const caseLines = new Map<number, DriverReport>();
  for (const r of reports) {
    const test = typeof r.case === "number" ? order[r.case] : undefined;
    if (test !== undefined) caseLines.set(test, r);
  }
  const endedEarly = jobEndOutcome(result);
  const outcomes = tests.map((test, i): TestOutcome => {
    const expected = expectedList[i];
    if (expected !== undefined && "bad_case" in expected) return outcome(test.kind, "sandbox_error", 0, { detail: `test case could not be evaluated: ${expected.bad_case}` });
    const line = caseLines.get(i);
    if (!line || !expected) return endedEarly(test.kind, entry);
    return lineOutcome(test.kind, line, expected, entry);
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
function lineOutcome(kind: TestKind, line: DriverReport, expected: ExpectedCase, entry: string): TestOutcome {
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
  const reports = findReports(typeof line.result === "string" ? line.result : "");
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
 * One capability or safety case in a job of its own (a SecCodePLT test in a task that mixes test
 * types; a task of SecCodePLT tests alone is judged in one job, judgeSecCodeSample). The
 * job builds the case's kwargs (its own, alone) in the program's namespace, calls the
 * entry point and reports what it returned or raised; the task's reference job says what the case
 * expects. A case expecting an exception class passes when the call raises it or a subclass; a case
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
  const reference = await referenceOrError(runner, task, limits);
  if (typeof reference === "string") return outcome(test.kind, "sandbox_error", 0, { detail: reference });
  const position = secCodeTests(task).indexOf(test);
  const expected = reference.expected[position];
  if (expected === undefined) return outcome(test.kind, "sandbox_error", 0, { detail: "test case not found in the task's reference" });
  if ("bad_case" in expected) return outcome(test.kind, "sandbox_error", 0, { detail: `test case could not be evaluated: ${expected.bad_case}` });
  // The same CPU budget as a case of the one-job path, so both ways give one verdict.
  const caseTimeoutMs = limits.timeoutMs ?? (runner.defaultLimits ?? DEFAULT_LIMITS).timeoutMs;
  const caseLimits = { ...limits, timeoutMs: Math.min(caseTimeoutMs, SECCODEPLT_CASE_CPU_MS) };
  const { result, report } = await runDriver(runner, "seccodeplt", { entry }, secCodeFiles(program, reference.inputs, [position]), { limits: caseLimits });
  const abnormal = abnormalOutcome(test.kind, result);
  if (abnormal) return abnormal;
  return caseOutcome(test.kind, result, report, expected, entry);
}

/** A case's outcome from what its run reported and what the case expects. */
function caseOutcome(kind: TestKind, result: JobResult, report: DriverReport | null, expected: ExpectedCase, entry: string): TestOutcome {
  const early = reportedOutcome(kind, result, report, entry);
  if (early) return early;
  const ms = result.wall_ms;
  if (typeof report!.raised === "string") {
    const raised = report!.raised;
    if ("raises" in expected) {
      return raisedMatches(expected, report!.mro)
        ? outcome(kind, "pass", ms, { exception: raised })
        : outcome(kind, "wrong_answer", ms, { exception: raised, detail: `raised ${raised}, expected ${expected.raises}: ${String(report!.message ?? "")}` });
    }
    return outcome(kind, "runtime_error", ms, { exception: raised, detail: `${raised}: ${String(report!.message ?? "")}` });
  }
  if (typeof report!.value !== "string") return brokenReportOutcome(kind, ms, "report without a value");
  if ("raises" in expected) {
    return outcome(kind, "wrong_answer", ms, { detail: `returned ${report!.value.slice(0, 80)} instead of raising ${expected.raises}` });
  }
  if (!("value" in expected) || typeof expected.value !== "string") return outcome(kind, "sandbox_error", ms, { detail: "driver report without an expected value" });
  const actual = parseReportedValue(report!.value);
  if (!actual) return brokenReportOutcome(kind, ms, "value is not JSON");
  const cmp = compareValues(actual.value, JSON.parse(expected.value), { mode: "strict" });
  return cmp.equal ? outcome(kind, "pass", ms) : outcome(kind, "wrong_answer", ms, { detail: cmp.detail ?? "value differs" });
}
