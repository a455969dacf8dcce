import type { AnalyzerName } from "../analysis/finding.js";
import type { JobLimits, JudgeMode } from "../judge/index.js";
import { getSpec, parseSpec, type RewardSpec } from "../reward/index.js";
import { extractCode } from "../policy/extract.js";
import type { Task } from "../task/index.js";
import { canonicalJson, failedSample, refuseCompletion, specIdentity, wellFormed, type SampleResult, type Verifier } from "../verify/index.js";
import { Admission, DeadlineExceeded } from "./admission.js";
import { ResultCache } from "./cache.js";
import { HttpError } from "./http.js";
import type { ServerMetrics } from "./metrics.js";
import type { ServeOptions } from "./options.js";
import type { Resolved, TaskStores } from "./tasks.js";

/** What every route shares in one server process. */
export interface ServerContext {
  opts: ServeOptions;
  version: string;
  verifier: Verifier;
  stores: TaskStores;
  admission: Admission;
  cache: ResultCache;
  metrics: ServerMetrics;
  state: { ready: boolean; draining: boolean };
}

/** The per-request settings a sample is verified under (and cached by). */
export interface Settings {
  spec: RewardSpec;
  specId: { name: string; hash: string };
  judge: JudgeMode;
  limits: JobLimits;
  analyzers?: readonly AnalyzerName[];
  /** Everything above but the spec, as text for the cache key. */
  key: string;
}

const parsedSpecs = new Map<string, RewardSpec>();

/** A spec by name or as an object; a bad one is the request's error (400), named. */
export function resolveSpec(value: unknown, fallback: RewardSpec): RewardSpec {
  if (value === undefined || value === null) return fallback;
  try {
    if (typeof value === "string") return getSpec(value);
    const text = canonicalJson(value);
    let spec = parsedSpecs.get(text);
    if (!spec) {
      spec = parseSpec(value);
      if (parsedSpecs.size > 256) parsedSpecs.clear();
      parsedSpecs.set(text, spec);
    }
    return spec;
  } catch (err) {
    throw new HttpError(400, "invalid_spec", (err as Error).message);
  }
}

export function settingsFor(
  ctx: ServerContext,
  request: { spec?: unknown; judge?: JudgeMode | undefined; limits?: { timeout_ms?: number | undefined; memory_mb?: number | undefined } | undefined; analyzers?: readonly AnalyzerName[] | undefined },
): Settings {
  const o = ctx.opts;
  const spec = resolveSpec(request.spec, o.spec);
  const timeoutMs = request.limits?.timeout_ms ?? o.timeoutMs;
  const memoryMb = request.limits?.memory_mb ?? o.memoryMb;
  if (timeoutMs > o.maxTimeoutMs) throw new HttpError(400, "invalid_request", `limits.timeout_ms ${timeoutMs} is over this service's maximum ${o.maxTimeoutMs} (serve --max-timeout)`);
  if (memoryMb > o.maxMemoryMb) throw new HttpError(400, "invalid_request", `limits.memory_mb ${memoryMb} is over this service's maximum ${o.maxMemoryMb} (serve --max-memory)`);
  const judge = request.judge ?? o.judge;
  const analyzers = request.analyzers ?? o.analyzers;
  const limits = { timeoutMs, memoryMb };
  return {
    spec,
    specId: specIdentity(spec),
    judge,
    limits,
    ...(analyzers ? { analyzers } : {}),
    key: JSON.stringify([judge, timeoutMs, memoryMb, analyzers ? [...analyzers].sort() : null]),
  };
}

/**
 * What a verdict depends on in a completion: its extracted program (or which kind of "no code" it
 * is). Keying the cache by it instead of the raw text makes completions that differ only in prose
 * or trailing special tokens (OpenRLHF's `<|im_end|>`) one entry, with the same result.
 */
function programIdentity(raw: string, task: Task): string {
  const completion = wellFormed(raw);
  if (refuseCompletion(completion)) return "\u0000empty";
  const code = extractCode(completion, task.entryPoint ? { entryPoint: task.entryPoint } : {});
  return code === null ? "\u0000no-code" : `\u0001${code}`;
}

export interface SampleRequest {
  resolved: Resolved;
  completion: string;
}

export interface Answered {
  result: SampleResult;
  cached: boolean;
}

/**
 * Verifies a request's samples under admission control: cached and in-progress duplicates are
 * joined, the rest must all fit in the queue (else 503 queue_full), and the request is answered
 * within its deadline (else 503 deadline_exceeded; what already runs finishes into the cache, so a
 * retry is cheap). A sample whose task cannot be found is a result with an error, never an HTTP
 * error.
 */
export async function verifySamples(ctx: ServerContext, route: string, samples: SampleRequest[], settings: Settings, signal: AbortSignal, overloadStatus = 503): Promise<Answered[]> {
  const meta = { spec: settings.spec, judgeMode: settings.judge, limits: settings.limits, ...(settings.analyzers ? { analyzers: settings.analyzers } : {}) };
  const keys: (string | null)[] = samples.map((s) =>
    "task" in s.resolved ? ResultCache.key({ version: ctx.version, specHash: settings.specId.hash, settings: settings.key, taskHash: s.resolved.hash, program: programIdentity(s.completion, s.resolved.task) }) : null,
  );
  // Admission counts the samples that need new work: not cached, not running, not repeated in this request.
  const fresh = new Set<string>();
  for (const k of keys) if (k !== null && !fresh.has(k) && ctx.cache.lookup(k) === undefined) fresh.add(k);
  if (!ctx.admission.admit(fresh.size)) {
    throw new HttpError(overloadStatus, "queue_full", `the verification queue is full (${ctx.admission.depth} samples waiting, limit ${ctx.admission.queueLimit}); retry later or add replicas`, { "retry-after": "1" });
  }
  const started = new Set<string>();
  const work = samples.map(async (s, i): Promise<Answered> => {
    const key = keys[i]!;
    if (!("task" in s.resolved)) {
      return { result: failedSample({ task_id: s.resolved.taskId ?? "", sample_index: 0, model: "", dataset: "", completion: s.completion }, "unknown_task", s.resolved.error), cached: false };
    }
    const task = s.resolved.task;
    if (fresh.has(key) && !started.has(key)) {
      started.add(key);
      const t0 = performance.now();
      const result = await ctx.cache.track(key, ctx.admission.run(() => ctx.verifier.verify(task, s.completion, meta), signal));
      ctx.metrics.recordSample(route, result, false, (performance.now() - t0) / 1000);
      return { result, cached: false };
    }
    const known = ctx.cache.lookup(key);
    // Gone from the cache between the check and now (evicted, or its run was not cacheable): verify it here.
    const result = known === undefined ? await ctx.cache.track(key, ctx.verifier.verify(task, s.completion, meta)) : await known;
    ctx.metrics.recordSample(route, result, true);
    return { result: { ...result, completion: s.completion }, cached: true };
  });
  const settled = Promise.allSettled(work);
  const outcome = await Promise.race([settled, abortedPromise(signal)]);
  if (outcome === "aborted" || outcome.some((o) => o.status === "rejected" && o.reason instanceof DeadlineExceeded)) {
    // Samples still queued were dropped by the admission queue itself; running ones finish into the cache.
    throw new HttpError(overloadStatus, "deadline_exceeded", `not answered within the request deadline (${ctx.opts.deadlineMs} ms, serve --deadline); finished samples are cached, so a retry is cheap`, { "retry-after": "1" });
  }
  return outcome.map((o, i) => {
    if (o.status === "fulfilled") return o.value;
    const s = samples[i]!;
    const task = "task" in s.resolved ? s.resolved.task : undefined;
    return {
      result: failedSample({ task_id: task?.id ?? "", sample_index: 0, model: "", dataset: "", completion: s.completion, ...(task ? { task } : {}) }, "evaluation_error", `evaluation failed: ${(o.reason as Error)?.message ?? String(o.reason)}`),
      cached: false,
    };
  });
}

function abortedPromise(signal: AbortSignal): Promise<"aborted"> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve("aborted");
    else signal.addEventListener("abort", () => resolve("aborted"), { once: true });
  });
}
