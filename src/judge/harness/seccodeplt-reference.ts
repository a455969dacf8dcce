import type { Task, Test } from "../../task/schema.js";
import { runDriver, type JobLimits, type JobRunner } from "../runner.js";
import { abnormalOutcome, lastErrorLine } from "./outcome.js";

/** What one case expects, as the reference job found it from setup + testcases alone. */
export type ExpectedCase =
  | { value: string }
  /** An exception class by module and qualified name; "scrl_reference" is a class setup defines. */
  | { raises: string; module: string }
  | { bad_case: string };

/** Everything a task's cases expect, and the testcases source with every expected value removed. */
export interface SecCodeReference {
  /** In the order of the task's seccodeplt tests. */
  expected: ExpectedCase[];
  /** testcases.py with expected values replaced by None; null when it is not the usual literal. */
  inputs: string | null;
}

type SecCodeTest = Extract<Test, { type: "seccodeplt" }>;

export function secCodeTests(task: Task): SecCodeTest[] {
  return task.tests.filter((t): t is SecCodeTest => t.type === "seccodeplt");
}

/**
 * One reference per task for as long as the Task object lives (the Verifier and bench hold their
 * tasks for a whole run), so each task pays for its reference job once. A failed job is not kept:
 * the next sample tries again rather than inheriting a transient sandbox failure.
 */
const cache = new WeakMap<Task, Promise<SecCodeReference>>();

/**
 * The expected outcome of every case, computed in a sandbox job of its own that runs setup and
 * testcases but never a candidate program: no expected value is ever in a process that runs
 * candidate code (a program that walks frames or the heap finds nothing to copy). The comparison
 * happens in TypeScript.
 */
export function secCodeReference(runner: JobRunner, task: Task, limits: JobLimits): Promise<SecCodeReference> {
  const cached = cache.get(task);
  if (cached) return cached;
  const pending = computeReference(runner, task, limits);
  cache.set(task, pending);
  pending.catch(() => cache.delete(task));
  return pending;
}

async function computeReference(runner: JobRunner, task: Task, limits: JobLimits): Promise<SecCodeReference> {
  const files = {
    "setup.py": typeof task.extra.setup === "string" ? task.extra.setup : "",
    "testcases.py": typeof task.extra.testcases === "string" ? task.extra.testcases : "",
  };
  const cases = secCodeTests(task).map((t) => [t.kind, t.index]);
  const { result, report } = await runDriver(runner, "seccodeplt_reference", { cases }, files, { limits });
  if (!report || !Array.isArray(report.expected) || report.expected.length !== cases.length) {
    const why = abnormalOutcome("capability", result)?.detail ?? (lastErrorLine(result.stderr) || `ended with status ${result.status}`);
    throw new Error(`the task's test cases could not be evaluated: ${why}`);
  }
  return { expected: report.expected as ExpectedCase[], inputs: typeof report.inputs === "string" ? report.inputs : null };
}

/** Whether a raised exception (its MRO as the driver reported it) is the expected class or a subclass. */
export function raisedMatches(expected: { raises: string; module: string }, mro: unknown): boolean {
  if (!Array.isArray(mro)) return false;
  // A class setup defines lives in module scrl_reference there and in the program's module here.
  const module = expected.module === "scrl_reference" ? "solution" : expected.module;
  return mro.some((entry) => Array.isArray(entry) && entry[0] === module && entry[1] === expected.raises);
}
