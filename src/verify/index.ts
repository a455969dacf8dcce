/** Public face of src/verify: the one per-sample pipeline behind bench, verify, serve and train. */
export { Verifier, analyzersToRun, type SampleVerifier, type VerifierOptions } from "./verifier.js";
export { evaluateSample, analyzeProgram, failedSample, styleOf, emptyTimings, type EvaluateDeps, type SampleMeta, type TypeChecker } from "./evaluate.js";
export type { SampleResult, SampleStatus, SampleStyle, StageTimings } from "./types.js";
export { hasModuleLevelSolution } from "./structure.js";
export { batchedTypeChecker } from "./type-batcher.js";
export { MAX_CODE_BYTES, refuseCode, refuseCompletion, wellFormed, type InputRefusal } from "./input.js";
export { RemoteVerifier, RemoteVerifierError, parseVerifierUrls, type RemoteVerifierOptions } from "./remote.js";
export { parseWireJson, stringifyWireJson, canonicalJson, contentHash } from "./json.js";
export { toWireResult, fromWireResult, specIdentity, specOnWire, type WireResult, type WireResponse } from "./wire.js";
