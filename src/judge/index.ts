/** Public face of the judge: harnesses per task kind, output comparison, verdicts. */
export { judgeSample, programFor, testKind, type JudgeOptions } from "./judge.js";
export {
  compareStdout,
  compareStdoutStrict,
  compareStdoutApps,
  compareValues,
  valuesEqualStrict,
  tokensEqual,
  floatsClose,
  normalizedLines,
  FLOAT_REL_TOL,
  FLOAT_ABS_TOL,
  type JudgeMode,
  type Comparison,
  type ValueCompareOptions,
} from "./compare.js";
export type { JobRunner, JobLimits } from "./runner.js";
export { benignCounterparts, isPayloadLine, BENIGN_VALUE, type BenignCounterpart } from "./harness/safesql.js";
export type { Verdict, TestOutcome, TestKind } from "./verdict.js";
