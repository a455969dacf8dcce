import type { Task, Test } from "../../task/schema.js";
import type { TestOutcome } from "../verdict.js";
import { compareStdout, compareValues, type JudgeMode } from "../compare.js";
import { runDriver, toSandboxLimits, type JobLimits, type JobRunner } from "../runner.js";
import { abnormalOutcome, lastErrorLine, outcome } from "./outcome.js";
import { brokenReportOutcome, parseReportedValue, reportedOutcome } from "./reported.js";

/** A stdin test: the program itself is the job, run as `__main__` with the test's real stdin. */
export async function judgeStdinTest(
  runner: JobRunner,
  program: string,
  test: Extract<Test, { type: "stdin" }>,
  mode: JudgeMode,
  limits: JobLimits,
): Promise<TestOutcome> {
  const r = await runner.run({ code: program, filename: "<program>", stdin: test.input, limits: toSandboxLimits(limits) });
  if (r.status === "compile_error") return outcome("test", "compile_error", r.wall_ms, { detail: compileErrorMessage(r.stderr) });
  const abnormal = abnormalOutcome("test", r);
  if (abnormal) return abnormal;
  const cmp = compareStdout(r.stdout, test.output, mode);
  return cmp.equal ? outcome("test", "pass", r.wall_ms) : outcome("test", "wrong_answer", r.wall_ms, { detail: cmp.detail ?? "output differs" });
}

/**
 * A call test: the driver imports the program as module `solution`, calls the entry point (a
 * module-level function, or a method of a fresh `Solution()`), and serializes the return value
 * with a strict encoder; the comparison happens here.
 */
export async function judgeCallTest(
  runner: JobRunner,
  task: Task,
  program: string,
  test: Extract<Test, { type: "call" }>,
  mode: JudgeMode,
  limits: JobLimits,
): Promise<TestOutcome> {
  const entry = task.entryPoint ?? "";
  const spec = { entry, args: test.args, prefer_class: task.extra.callTarget === "solution-method" };
  const { result, report } = await runDriver(runner, "call", spec, { "solution.py": program }, { limits });
  const abnormal = abnormalOutcome("test", result);
  if (abnormal) return abnormal;
  if (report?.compiled === false) return outcome("test", "compile_error", result.wall_ms, { detail: String(report.error ?? "SyntaxError") });
  const early = reportedOutcome("test", result, report, entry);
  if (early) return early;
  if (typeof report?.value !== "string") return brokenReportOutcome("test", result.wall_ms, "report without a value");
  const actual = parseReportedValue(report.value);
  if (!actual) return brokenReportOutcome("test", result.wall_ms, "value is not JSON");
  const cmp = compareValues(actual.value, test.expected, { mode, outputsUnwrapped: task.extra.outputsUnwrapped === true });
  return cmp.equal ? outcome("test", "pass", result.wall_ms) : outcome("test", "wrong_answer", result.wall_ms, { detail: cmp.detail ?? "value differs" });
}

/**
 * CPython's compile error as the driver words it ("SyntaxError: invalid syntax (line 3)"), from
 * the traceback.format_exception_only text the sandbox wrote for a program that did not compile.
 */
export function compileErrorMessage(stderr: string): string {
  const last = lastErrorLine(stderr) || "SyntaxError";
  const line = /^\s*File "[^"]*", line (\d+)/m.exec(stderr);
  return line ? `${last} (line ${line[1]})` : last;
}
