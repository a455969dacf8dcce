import type { AnalyzerName } from "../analysis/finding.js";
import type { JobLimits, JudgeMode } from "../judge/index.js";
import { getSpec, type RewardSpec } from "../reward/index.js";
import type { Task } from "../task/schema.js";
import { styleOf, type SampleMeta } from "./evaluate.js";
import { parseWireJson, stringifyWireJson } from "./json.js";
import type { SampleResult } from "./types.js";
import type { SampleVerifier } from "./verifier.js";
import { fromWireResult, specIdentity, specOnWire, type WireResponse } from "./wire.js";

/**
 * A SampleVerifier whose samples are verified by `securecoderl serve` replicas (or one load
 * balancer in front of them). Samples are gathered into small batches and spread over the
 * replicas, the least busy first; a batch that meets a connection failure, a timeout or an
 * overloaded answer (502, 503, 504) goes to another replica, so a replica can die mid-run without a
 * sample being lost. A replica that failed gets no full batches until it answers again: after a
 * growing pause it is probed with one sample (a circuit breaker), so a dead replica costs little. Verification is a pure function of (task, completion, spec, settings), so
 * sending a batch twice cannot change a result, and each caller's promise settles exactly once.
 */

export interface RemoteVerifierOptions {
  judgeMode?: JudgeMode;
  limits?: JobLimits;
  /** Analyzers instead of the service's default set (the spec's own always run). */
  analyzers?: readonly AnalyzerName[];
  /** Bearer token (`serve --token-file`). */
  token?: string;
  /** Samples per request (default 16). */
  batchSize?: number;
  /** How long a partial batch waits for more samples (default 2 ms). */
  batchWaitMs?: number;
  /** Requests in flight per replica URL (default 4). */
  requestsPerReplica?: number;
  /** One request's time limit (default 10 minutes). */
  requestTimeoutMs?: number;
  /** Tries per sample over all replicas before it fails (default 12). */
  maxAttempts?: number;
  /** With every replica failing, how long since the last answer before all waiting samples fail (default 2 minutes). */
  giveUpAfterMs?: number;
  /** Notices about replicas going down and coming back. */
  log?: (line: string) => void;
}

interface Pending {
  task: Task;
  completion: string;
  meta: { sampleIndex: number; model: string; dataset: string };
  attempts: number;
  lastError: string;
  resolve: (r: SampleResult) => void;
  reject: (e: Error) => void;
}

interface Replica {
  url: string;
  inFlight: number;
  downUntil: number;
  failures: number;
}

/** Status codes that mean "this replica cannot take it now", not "this request is wrong". */
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

export class RemoteVerifierError extends Error {}

/** The batch endpoint every replica serves (docs/serving.md); the verifier posts to BASE + this. */
const REWARDS_PATH = "/v1/rewards";

/**
 * Splits `URL[,URL...]` (commas or whitespace) into the replicas' base URLs. Each may be given as
 * the base (`http://HOST:PORT`) or as the endpoint users copy from docs/serving.md
 * (`http://HOST:PORT/v1/rewards`), with or without a trailing slash; a prefix before `/v1/rewards`
 * (a proxy mounting the service under a path) is kept. Any other path, a query or a fragment
 * would post to an endpoint no replica serves, so it is refused here rather than failing every
 * sample later.
 */
export function parseVerifierUrls(text: string | readonly string[]): string[] {
  const parts = (typeof text === "string" ? [text] : text).flatMap((t) => t.split(/[\s,]+/)).filter(Boolean);
  if (parts.length === 0) throw new RemoteVerifierError("no verifier URL given");
  const expected = `expected http://HOST:PORT or http://HOST:PORT${REWARDS_PATH}`;
  return parts.map((p) => {
    let u: URL;
    try {
      u = new URL(p);
    } catch {
      throw new RemoteVerifierError(`not a URL: ${JSON.stringify(p)} (${expected})`);
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new RemoteVerifierError(`not an http(s) URL: ${p} (${expected})`);
    if (u.search !== "" || u.hash !== "") throw new RemoteVerifierError(`a verifier URL takes no query or fragment: ${p} (${expected})`);
    const path = u.pathname.replace(/\/+$/, "");
    const base = path.endsWith(REWARDS_PATH) ? path.slice(0, -REWARDS_PATH.length) : path;
    if (base !== "" && base === path) {
      throw new RemoteVerifierError(`verifier URL ${p} has path ${JSON.stringify(u.pathname)}, which is neither the service's root nor its ${REWARDS_PATH} endpoint (${expected})`);
    }
    return `${u.origin}${base}`;
  });
}

export class RemoteVerifier implements SampleVerifier {
  readonly urls: readonly string[];
  readonly spec: RewardSpec;
  /** Samples a caller should keep in flight so every replica has full batches to work on. */
  readonly jobs: number;
  private readonly opts: RemoteVerifierOptions;
  private readonly replicas: Replica[];
  private readonly pending: Pending[] = [];
  private readonly batchSize: number;
  private readonly perReplica: number;
  private readonly expectedSpec: { name: string; hash: string };
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private lastAnswer = Date.now();

  constructor(urls: string | readonly string[], spec: RewardSpec | string, opts: RemoteVerifierOptions = {}) {
    this.urls = parseVerifierUrls(urls);
    this.spec = typeof spec === "string" ? getSpec(spec) : spec;
    this.opts = opts;
    this.batchSize = Math.max(1, opts.batchSize ?? 16);
    this.perReplica = Math.max(1, opts.requestsPerReplica ?? 4);
    this.replicas = this.urls.map((url) => ({ url, inFlight: 0, downUntil: 0, failures: 0 }));
    this.jobs = this.replicas.length * this.perReplica * this.batchSize;
    this.expectedSpec = specIdentity(this.spec);
  }

  verify(task: Task, completion: string, meta: Partial<SampleMeta> = {}): Promise<SampleResult> {
    if (this.closed) return Promise.reject(new RemoteVerifierError("remote verifier is closed"));
    return new Promise<SampleResult>((resolve, reject) => {
      this.pending.push({
        task,
        completion,
        meta: { sampleIndex: meta.sampleIndex ?? 0, model: meta.model ?? "", dataset: meta.dataset ?? task.source },
        attempts: 0,
        lastError: "",
        resolve,
        reject,
      });
      if (this.pending.length >= this.batchSize) this.pump();
      else this.schedule(this.opts.batchWaitMs ?? 2);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const p of this.pending.splice(0)) p.reject(new RemoteVerifierError("remote verifier closed before this sample was sent"));
  }

  private schedule(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, ms);
  }

  /**
   * The least busy healthy replica with room; else a failed replica whose pause is over and that
   * has nothing in flight, for a one-sample probe; else null.
   */
  private pick(now: number): { replica: Replica; probe: boolean } | null {
    let best: Replica | null = null;
    for (const r of this.replicas) {
      if (r.failures > 0 || r.inFlight >= this.perReplica) continue;
      if (!best || r.inFlight < best.inFlight) best = r;
    }
    if (best) return { replica: best, probe: false };
    const probe = this.replicas.find((r) => r.failures > 0 && r.downUntil <= now && r.inFlight === 0);
    return probe ? { replica: probe, probe: true } : null;
  }

  private pump(): void {
    while (this.pending.length > 0 && !this.closed) {
      const now = Date.now();
      const chosen = this.pick(now);
      if (!chosen) {
        // A busy healthy replica calls pump when it finishes; otherwise wake when the first failed one may be probed.
        const wake = Math.min(...this.replicas.map((r) => (r.failures > 0 && r.inFlight === 0 ? r.downUntil : Infinity)));
        if (Number.isFinite(wake)) this.schedule(Math.max(1, wake - now));
        return;
      }
      if (chosen.probe) {
        // The sample tried least so far, so probes spread their cost instead of failing one sample.
        let k = 0;
        for (let i = 1; i < this.pending.length; i++) if (this.pending[i]!.attempts < this.pending[k]!.attempts) k = i;
        void this.send(chosen.replica, this.pending.splice(k, 1));
      } else {
        void this.send(chosen.replica, this.pending.splice(0, this.batchSize));
      }
    }
  }

  private body(batch: Pending[]): string {
    const o = this.opts;
    return stringifyWireJson({
      spec: specOnWire(this.spec),
      ...(o.judgeMode ? { judge: o.judgeMode } : {}),
      ...(o.limits ? { limits: { ...(o.limits.timeoutMs ? { timeout_ms: o.limits.timeoutMs } : {}), ...(o.limits.memoryMb ? { memory_mb: o.limits.memoryMb } : {}) } } : {}),
      ...(o.analyzers ? { analyzers: o.analyzers } : {}),
      items: batch.map((p, i) => ({ id: i, task: p.task, completion: p.completion })),
    });
  }

  private async send(replica: Replica, batch: Pending[]): Promise<void> {
    replica.inFlight++;
    // A timer cleared with the request (AbortSignal.timeout would live on for the whole limit).
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new DOMException("request timed out", "TimeoutError")), this.opts.requestTimeoutMs ?? 600_000);
    try {
      let res: Response;
      try {
        res = await fetch(`${replica.url}${REWARDS_PATH}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...(this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {}) },
          body: this.body(batch),
          signal: abort.signal,
        });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        this.markDown(replica, `${(err as Error).name === "TimeoutError" ? "timed out" : "connection failed"}${cause?.code ? ` (${cause.code})` : cause?.message ? ` (${cause.message})` : ""}`);
        this.retry(batch, `${replica.url}: ${(err as Error).message}`);
        return;
      }
      const text = await res.text().catch((err: unknown) => `(body unreadable: ${(err as Error).message})`);
      if (RETRYABLE_STATUS.has(res.status)) {
        const after = Number(res.headers.get("retry-after"));
        this.markDown(replica, `answered ${res.status}`, Number.isFinite(after) && after > 0 ? after * 1000 : undefined);
        this.retry(batch, `${replica.url} answered ${res.status}: ${text.slice(0, 200)}`);
        return;
      }
      if (!res.ok) {
        this.fail(batch, `reward service ${replica.url} answered ${res.status}: ${errorMessage(text)}`);
        return;
      }
      this.settle(replica, batch, text);
    } finally {
      clearTimeout(timer);
      replica.inFlight--;
      this.pump();
    }
  }

  private settle(replica: Replica, batch: Pending[], text: string): void {
    let body: WireResponse;
    try {
      body = parseWireJson(text) as WireResponse;
    } catch (err) {
      // A cut or garbled answer (a proxy that died mid-response): the replica's fault, not the samples'.
      this.markDown(replica, "answered malformed JSON");
      this.retry(batch, `${replica.url} answered malformed JSON: ${(err as Error).message}`);
      return;
    }
    if (body.spec?.hash !== this.expectedSpec.hash) {
      this.fail(batch, `reward service ${replica.url} computed spec ${JSON.stringify(body.spec)}, not ${JSON.stringify(this.expectedSpec)}: it runs another version of the spec`);
      return;
    }
    if (replica.failures > 0) this.opts.log?.(`verifier ${replica.url} is answering again`);
    replica.failures = 0;
    this.lastAnswer = Date.now();
    batch.forEach((p, i) => {
      const w = body.results?.[i];
      if (!w || w.id !== i) p.reject(new RemoteVerifierError(`reward service ${replica.url} answered without a result for item ${i}`));
      else p.resolve(fromWireResult(w, p.task, p.completion, p.meta, this.spec.name, styleOf(p.task)));
    });
  }

  private markDown(replica: Replica, why: string, forMs?: number): void {
    replica.failures++;
    const backoff = forMs ?? Math.min(5000, 250 * 2 ** Math.min(replica.failures - 1, 5));
    replica.downUntil = Date.now() + backoff;
    if (replica.failures === 1 || replica.failures % 10 === 0) this.opts.log?.(`verifier ${replica.url} ${why}; its samples go to ${this.replicas.length > 1 ? "another replica" : "it again"} (retry in ${Math.round(backoff)} ms)`);
  }

  private retry(batch: Pending[], why: string): void {
    if (this.replicas.every((r) => r.failures > 0) && Date.now() - this.lastAnswer > (this.opts.giveUpAfterMs ?? 120_000)) {
      // Every replica has been failing for a long while: fail everything waiting rather than hang.
      const all = [...batch, ...this.pending.splice(0)];
      this.fail(all, `no verifier replica has answered for ${Math.round((Date.now() - this.lastAnswer) / 1000)} s; last: ${why}`);
      return;
    }
    const again: Pending[] = [];
    for (const p of batch) {
      p.attempts++;
      p.lastError = why;
      if (p.attempts >= (this.opts.maxAttempts ?? 12)) p.reject(new RemoteVerifierError(`no verifier replica could judge this sample after ${p.attempts} tries; last: ${why}`));
      else again.push(p);
    }
    this.pending.unshift(...again);
  }

  private fail(batch: Pending[], why: string): void {
    for (const p of batch) p.reject(new RemoteVerifierError(why));
  }
}

function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: string } };
    if (body.error?.message) return body.error.message;
  } catch {
    // not JSON: show the text
  }
  return text.slice(0, 300);
}
