/**
 * The library surface of SecureCodeRL: one import for the stages a training loop or a notebook
 * needs. Each stage's own index (e.g. `securecoderl/analysis/scan`) exposes the rest.
 */
export { loadTasks, type Task, type Test, type LoadResult, type DatasetKind, type TaskKind } from "./task/index.js";
export { SandboxPool, defaultJobs, type PythonJob, type JobResult, type Limits } from "./sandbox/index.js";
export { judgeSample, type Verdict, type TestOutcome } from "./judge/index.js";
export { extractCode } from "./policy/extract.js";
export { createPolicy, buildPrompt, type Policy, type GenerationRequest, type GenerationResult } from "./policy/index.js";
export { scanSource, type ScanOptions } from "./analysis/scan/index.js";
export { detect, type VulnContext, type DetectResult } from "./analysis/vuln/index.js";
export { checkTypes } from "./analysis/types/index.js";
export type { Finding, Severity, Confidence, AnalyzerName } from "./analysis/finding.js";
export { computeReward, getSpec, parseSpec, type Reward, type RewardParts, type RewardSpec } from "./reward/index.js";
export { Verifier, evaluateSample, type SampleVerifier, type SampleResult } from "./verify/index.js";
export { RemoteVerifier, type RemoteVerifierOptions } from "./verify/index.js";
export { startServer, type ServeOptions } from "./server/index.js";
export { runBench, computeMetrics } from "./bench/index.js";
