export type { Reward, RewardParts } from "./types.js";
export {
  RewardSpecSchema,
  SECURECODERL_SPEC,
  REAL_SPEC,
  getSpec,
  parseSpec,
  specNames,
  analyzersFor,
  qualityWeightFor,
  type RewardSpec,
  type TaskKey,
} from "./spec.js";
export { computeReward, countedFindings, type AnalysisStatus } from "./compute.js";
export { isTrivialCode, isTriviallyPassable, FUNCTIONAL_TEST_KINDS } from "./trivial.js";
export { readRewardArgument, loadRewardSpec } from "./load.js";
