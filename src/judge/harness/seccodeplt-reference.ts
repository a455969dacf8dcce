import { randomInt } from "node:crypto";
import type { Task, Test } from "../../task/schema.js";
import { runDriver, type JobLimits, type JobRunner } from "../runner.js";
import { abnormalOutcome, lastErrorLine } from "./outcome.js";

/** What one case expects, as the reference job found it from setup + testcases alone. */
export type ExpectedCase =
  | { value: string }
  /** An exception class by module and qualified name; "scrl_reference" is a class setup defines. */
  | { raises: string; module: string }
  | { bad_case: string };

/** What the job running a program may see of testcases.py: no expected value, kind or position. */
export interface SecCodeInputs {
  /** Top-level statements the kwargs depend on (imports, helper values). */
  prelude: string;
  /** Each case's kwargs expression as Python source, in the order of the task's seccodeplt tests. */
  kwargs: string[];
}

/** Everything a task's cases expect, and their inputs alone. */
export interface SecCodeReference {
  /** In the order of the task's seccodeplt tests. */
  expected: ExpectedCase[];
  /** Null when testcases.py is not the usual literal and cannot be separated. */
  inputs: SecCodeInputs | null;
}

/**
 * The candidate job's testcases.py: `testcases = [kwargs, ...]` for the given tests (indices into
 * the task's seccodeplt tests) in that order, after the prelude.
 */
export function inputsSource(inputs: SecCodeInputs, tests: number[]): string {
  return `${inputs.prelude}
testcases = [
${tests.map((i) => `    ${inputs.kwargs[i]},\n`).join("")}]
`;
}

/** A fresh random order of items, so a program cannot tell a case's kind from its position. */
export function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
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
  const inputs = report.inputs as SecCodeInputs | null;
  const valid = inputs !== null && typeof inputs === "object" && typeof inputs.prelude === "string"
    && Array.isArray(inputs.kwargs) && inputs.kwargs.length === cases.length && inputs.kwargs.every((k) => typeof k === "string");
  return { expected: report.expected as ExpectedCase[], inputs: valid ? inputs : null };
}

/** Whether a raised exception (its MRO as the driver reported it) is the expected class or a subclass. */
export function raisedMatches(expected: { raises: string; module: string }, mro: unknown): boolean {
  if (!Array.isArray(mro)) return false;
  // A class setup defines lives in module scrl_reference there and in the program's module here.
  const module = expected.module === "scrl_reference" ? "solution" : expected.module;
  return mro.some((entry) => Array.isArray(entry) && entry[0] === module && entry[1] === expected.raises);
}
