/** Public face of src/verify: the one per-sample pipeline behind bench, verify, serve and train. */
export { forEachBounded, type BoundedOptions } from "./bounded.js";
export { Verifier, analyzersToRun, SAMPLES_IN_FLIGHT_PER_WORKER, type SampleVerifier, type VerifierOptions } from "./verifier.js";
export { evaluateSample, analyzeProgram, failedSample, styleOf, emptyTimings, type EvaluateDeps, type SampleMeta, type TypeChecker, type AnalysisNotes } from "./evaluate.js";
export { AnalysisPool, defaultAnalysisThreads, DEFAULT_ANALYSIS_BUDGET_MS, DEFAULT_ANALYSIS_MEMORY_MB, type AnalysisPoolOptions } from "./analysis-pool.js";
export { DEFAULT_MAX_ANALYSIS_BYTES, type AnalysisRequest, type AnalysisOutcome, type AnalysisRunner } from "./analysis-types.js";
export type { SampleResult, SampleStatus, SampleStyle, StageTimings } from "./types.js";
export { hasModuleLevelSolution } from "./structure.js";
export { batchedTypeChecker } from "./type-batcher.js";
export { MAX_CODE_BYTES, refuseCode, refuseCompletion, wellFormed, type InputRefusal } from "./input.js";
export { RemoteVerifier, RemoteVerifierError, parseVerifierUrls, type RemoteVerifierOptions } from "./remote.js";
export { parseWireJson, stringifyWireJson, canonicalJson, contentHash } from "./json.js";
export { toWireResult, fromWireResult, specIdentity, specOnWire, type WireResult, type WireResponse } from "./wire.js";
