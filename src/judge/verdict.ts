import type { TestStatus } from "../sandbox/outcome.js";
import type { Finding } from "../analysis/finding.js";
import type { JudgeMode } from "./compare.js";

/** What a test checked: a plain APPS test, a SecCodePLT capability/safety case, a SafeSQL functional/attack input. */
export type TestKind = "test" | "capability" | "safety" | "functional" | "attack";

export interface TestOutcome {
  kind: TestKind;
  status: TestStatus;
  time_ms: number;
  /** Exception type name for runtime errors (and SecCodePLT safety cases that raised). */
  exception?: string;
  /** Short human-readable reason for a non-pass (expected vs got, truncated). */
  detail?: string;
}

/** The judge's verdict on one program for one task, before any reward is applied. */
export interface Verdict {
  task_id: string;
  /** The code that was judged, after extraction; null when the completion held no code. */
  code: string | null;
  compiled: boolean;
  /** CPython's SyntaxError message when compilation failed. */
  compile_error?: string;
  tests: TestOutcome[];
  passed: number;
  total: number;
  findings: Finding[];
  /**
   * The output comparison the tests were judged by. The reward asks the same comparison which
   * tests a task-independent guess would pass (src/reward/trivial.ts); absent means `strict`.
   */
  mode?: JudgeMode;
  /** A per-sample problem that stopped judging (unknown task, bad bytes, sandbox failure). */
  error?: string;
}
