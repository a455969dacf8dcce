/** Public face of src/bench: the per-sample pipeline, run store, metrics, report and compare. */
export { runBench, resolveSpec, RunDirError, RunInterrupted, STORE_FILE, UNKNOWN_DATASET, type RunOptions, type RunSummary, type RunCounts, type BenchSampleRecord } from "./run.js";
export { newRunDir, markLatest, latestRunDir, runId, RUNS_ROOT } from "./rundir.js";
export { rewardsUnderEverySpec, analyzersForEverySpec, type RewardsBySpec, type SpecReward } from "./rewards.js";
export { runSettings, gitCommit, packageVersion, type RunSettings } from "./settings.js";
export { BenchConfigSchema, parseBenchConfig, readConfigFile, resolvePaths, modelLabel, ConfigError, type BenchConfig, type BenchConfigInput } from "./config.js";
export { computeMetrics, groupMetrics, passAtK, rewardBin, isAllPass, REWARD_BINS, type Metrics, type GroupMetrics, type PassAtK } from "./metrics.js";
export { RunStore } from "./store.js";
export { renderReport } from "./report.js";
export { findingsSarif, sampleArtifact } from "./sarif.js";
export { compareRuns, formatComparison, type ComparedRun } from "./compare.js";
export type { MetricsFile } from "./outputs.js";
