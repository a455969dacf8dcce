import type { JobResult } from "../../sandbox/index.js";
import type { TestKind, TestOutcome } from "../verdict.js";
import type { DriverReport } from "../runner.js";
import { outcome } from "./outcome.js";

/**
 * Outcomes decided by what the driver reported (or failed to report) rather than by comparing a
 * value: no report at all, a missing entry point, an unserializable return value. Null when the
 * report carries a value to compare.
 */
export function reportedOutcome(kind: TestKind, result: JobResult, report: DriverReport | null, entry: string): TestOutcome | null {
  if (report === null) {
    return outcome(kind, "wrong_answer", result.wall_ms, { detail: `program exited (code ${result.exit_code}) before returning from '${entry}'` });
  }
  if (typeof report.missing === "string") {
    return outcome(kind, "runtime_error", result.wall_ms, { exception: "NameError", detail: `entry point '${report.missing}' is not defined by the program` });
  }
  if (typeof report.unserializable === "string") {
    return outcome(kind, "wrong_answer", result.wall_ms, { detail: `return value not comparable: ${report.unserializable}` });
  }
  if (typeof report.bad_case === "string") {
    return outcome(kind, "sandbox_error", result.wall_ms, { detail: `test case could not be evaluated: ${report.bad_case}` });
  }
  return null;
}

/**
 * A driver report the program itself mangled (patched builtins, json, or the report line): the
 * candidate's failure, not the judge's, so a hack cannot turn a wrong answer into a judge error.
 */
export function brokenReportOutcome(kind: TestKind, ms: number, what: string): TestOutcome {
  return outcome(kind, "runtime_error", ms, { detail: `the program broke the judge's report: ${what}` });
}

/** A reported JSON value, or undefined when the program made it unparseable. */
export function parseReportedValue(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}
