import type { Finding } from "../analysis/finding.js";
import type { JudgeMode, TestOutcome } from "../judge/index.js";
import { getSpec, specNames, type RewardParts, type RewardSpec } from "../reward/index.js";
import type { Task } from "../task/schema.js";
import { canonicalJson, contentHash } from "./json.js";
import type { SampleResult, SampleStatus, StageTimings } from "./types.js";

/**
 * The reward service's batch API on the wire (`POST /v1/rewards`, docs/serving.md), shared by the
 * server that writes it and the RemoteVerifier that reads it, so a SampleResult survives the
 * round trip field for field.
 */

/** One result of `POST /v1/rewards`: everything in a SampleResult that the caller does not already hold. */
export interface WireResult {
  id: string | number;
  task_id: string | null;
  status: SampleStatus;
  /** The scalar reward; null only when the sample never reached the judge (unknown task). */
  reward: number | null;
  parts: RewardParts | null;
  compiled: boolean;
  compile_error?: string;
  passed: number;
  total: number;
  tests: TestOutcome[];
  findings: Finding[];
  /** The verdict's output comparison when it is not `strict` (SampleResult.mode). */
  mode?: JudgeMode;
  module_level_solution: boolean;
  code: string | null;
  error: string | null;
  analysis_errors: string[];
  timings: StageTimings;
  /** Served from the result cache (the same task, completion, spec and settings seen before). */
  cached: boolean;
}

export interface WireResponse {
  spec: { name: string; hash: string };
  server: { version: string };
  results: WireResult[];
}

export function toWireResult(id: string | number, r: SampleResult, cached: boolean): WireResult {
  const out: WireResult = {
    id,
    task_id: r.task_id,
    status: r.status,
    reward: r.reward?.value ?? null,
    parts: r.reward?.parts ?? null,
    compiled: r.compiled,
    passed: r.passed,
    total: r.total,
    tests: r.tests,
    findings: r.findings,
    module_level_solution: r.module_level_solution,
    code: r.code,
    error: r.error,
    analysis_errors: r.analysis_errors,
    timings: r.timings,
    cached,
  };
  if (r.compile_error !== undefined) out.compile_error = r.compile_error;
  if (r.mode !== undefined) out.mode = r.mode;
  return out;
}

/** Rebuilds the SampleResult a local Verifier would have produced from a service's answer. */
export function fromWireResult(
  w: WireResult,
  task: Task,
  completion: string,
  meta: { sampleIndex: number; model: string; dataset: string },
  specName: string,
  style: SampleResult["style"],
): SampleResult {
  const out: SampleResult = {
    task_id: task.id,
    sample_index: meta.sampleIndex,
    model: meta.model,
    dataset: meta.dataset,
    kind: task.kind,
    style,
    cwe: task.cwe ?? null,
    status: w.status,
    compiled: w.compiled,
    tests: w.tests,
    passed: w.passed,
    total: w.total,
    findings: w.findings,
    reward: w.reward === null || w.parts === null ? null : { spec: specName, value: w.reward, parts: w.parts },
    module_level_solution: w.module_level_solution,
    code: w.code,
    completion,
    error: w.error,
    analysis_errors: w.analysis_errors,
    timings: w.timings,
  };
  if (w.compile_error !== undefined) out.compile_error = w.compile_error;
  if (w.mode !== undefined) out.mode = w.mode;
  return out;
}

/** A spec's identity on the wire: its name and a hash of its content, so client and server can tell they mean the same reward. */
export function specIdentity(spec: RewardSpec): { name: string; hash: string } {
  return { name: spec.name, hash: contentHash(spec) };
}

/** What to send for a spec: a built-in's name when it is exactly that built-in, else the whole spec. */
export function specOnWire(spec: RewardSpec): string | RewardSpec {
  if (specNames().includes(spec.name) && canonicalJson(getSpec(spec.name)) === canonicalJson(spec)) return spec.name;
  return spec;
}
