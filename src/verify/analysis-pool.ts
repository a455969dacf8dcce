import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { AnalysisJobMessage } from "./analysis-worker.js";
import { failedOutcome, type AnalysisOutcome, type AnalysisRequest, type AnalysisRunner } from "./analysis-types.js";

/**
 * Static analysis off the event loop: a few worker threads that parse and analyse samples while
 * the main thread drives the sandboxes, the judge and result handling, so neither can starve the
 * other (a 1 MB program once held the main thread for seconds and let a test time out). Each
 * sample gets a time budget and each thread a heap budget; a thread that overruns either, or dies,
 * is terminated and replaced, and that sample's analysis fails (which the reward counts against
 * it, see docs/rewards.md). Kept free of the parser and analyzers (type imports only): the main
 * thread never loads them.
 */

/** Per-sample backstop on analysis wall time (the detector stops itself at 2 s; honest samples take milliseconds). */
export const DEFAULT_ANALYSIS_BUDGET_MS = 20_000;
/** V8 heap per analysis thread. The syntax tree itself lives outside the heap and is bounded by the input size limit. */
export const DEFAULT_ANALYSIS_MEMORY_MB = 512;

/**
 * Analysis threads for `sandboxJobs` sandbox workers: one per 16 sandbox workers, at least 1, and
 * at most the CPUs less one (the main thread's). Analysis costs about a tenth of a sample's sandbox
 * CPU (rules ~1 ms, detector ~2 ms against ~50 ms in the sandbox on SecCodePLT+), so one thread
 * keeps up with 16 busy sandbox workers; more would only take CPUs the sandboxes need.
 */
export function defaultAnalysisThreads(sandboxJobs: number, cpus = availableParallelism()): number {
  return Math.max(1, Math.min(cpus - 1, 1 + Math.floor(sandboxJobs / 16)));
}

export interface AnalysisPoolOptions {
  threads?: number;
  /** Per-sample wall-time budget in ms (default DEFAULT_ANALYSIS_BUDGET_MS). */
  timeBudgetMs?: number;
  /** Old-generation heap per thread in MiB (default DEFAULT_ANALYSIS_MEMORY_MB). */
  memoryMb?: number;
  /** The worker module (tests substitute one that misbehaves). */
  workerUrl?: URL;
}

interface Job {
  id: number;
  request: AnalysisRequest;
  resolve: (outcome: AnalysisOutcome) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Job | null;
  timer: NodeJS.Timeout | null;
  /** Set once the slot is being replaced, so its exit is not handled twice. */
  retired: boolean;
}

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * The worker entry: compiled JavaScript next to this module (dist/verify/, or dist/bundle/ where
 * scripts/build-bundle.mjs puts `analysis-worker.js`), else the TypeScript source under a dev
 * runner (tsx, vitest), booted through tsx's loader.
 */
function workerEntry(): { url: URL; eval: false } | { url: URL; eval: true } | null {
  const js = join(HERE, "analysis-worker.js");
  if (existsSync(js)) return { url: pathToFileURL(js), eval: false };
  const ts = join(HERE, "analysis-worker.ts");
  if (!existsSync(ts)) return null;
  try {
    const tsxApi = join(dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist", "esm", "api", "index.mjs");
    const boot = `import { register } from ${JSON.stringify(pathToFileURL(tsxApi).href)}; register(); await import(${JSON.stringify(pathToFileURL(ts).href)});`;
    return { url: new URL(`data:text/javascript,${encodeURIComponent(boot)}`), eval: true };
  } catch {
    return null;
  }
}

/** Consecutive worker start failures after which the pool stops trying and analyses in this thread. */
const MAX_START_FAILURES = 3;

export class AnalysisPool implements AnalysisRunner {
  readonly threads: number;
  readonly timeBudgetMs: number;
  readonly memoryMb: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly entry: URL | null;
  private nextId = 0;
  private startFailures = 0;
  private closed = false;
  /** Workers that could not start: analyses run in this thread instead (loaded on first need). */
  private fallback: Promise<AnalysisRunner> | null = null;
  /** Samples whose analysis thread was terminated or died, by reason (for reports and tests). */
  readonly replaced = { time: 0, memory: 0, crash: 0 };

  constructor(opts: AnalysisPoolOptions = {}) {
    this.threads = Math.max(1, opts.threads ?? defaultAnalysisThreads(1));
    this.timeBudgetMs = opts.timeBudgetMs ?? DEFAULT_ANALYSIS_BUDGET_MS;
    this.memoryMb = opts.memoryMb ?? DEFAULT_ANALYSIS_MEMORY_MB;
    this.entry = opts.workerUrl ?? workerEntry()?.url ?? null;
    if (!this.entry) this.useFallback("no analysis worker module next to src/verify/analysis-pool");
    else for (let i = 0; i < this.threads; i++) this.spawn();
  }

  analyze(request: AnalysisRequest): Promise<AnalysisOutcome> {
    if (this.closed) return Promise.resolve(failedOutcome(request, "analysis pool closed"));
    if (this.fallback) return this.fallback.then((r) => r.analyze(request));
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, request, resolve });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.resolve(failedOutcome(job.request, "analysis pool closed"));
    await Promise.all(
      this.slots.splice(0).map(async (slot) => {
        slot.retired = true;
        if (slot.timer) clearTimeout(slot.timer);
        if (slot.job) slot.job.resolve(failedOutcome(slot.job.request, "analysis pool closed"));
        // A worker still loading the native parser is left to finish loading (unref'd) rather
        // than cut off there: a terminate at that point can abort the process (see scan/parallel.ts).
        if (slot.ready) await slot.worker.terminate();
        else slot.worker.unref();
      }),
    );
  }

  private spawn(): void {
    const worker = new Worker(this.entry!, {
      resourceLimits: { maxOldGenerationSizeMb: this.memoryMb, maxYoungGenerationSizeMb: Math.min(64, Math.max(8, this.memoryMb >> 3)) },
      stdout: false,
      stderr: false,
    });
    const slot: Slot = { worker, ready: false, job: null, timer: null, retired: false };
    this.slots.push(slot);
    worker.unref(); // an idle analysis thread never keeps the process alive
    worker.on("message", (msg: { ready: true } | { id: number; outcome: AnalysisOutcome }) => {
      if ("ready" in msg) {
        slot.ready = true;
        this.startFailures = 0;
        this.pump();
        return;
      }
      const job = slot.job;
      if (!job || job.id !== msg.id) return;
      this.finishJob(slot);
      job.resolve(msg.outcome);
      this.pump();
    });
    worker.on("error", (err: Error & { code?: string }) => {
      if (err.code === "ERR_WORKER_OUT_OF_MEMORY") this.retire(slot, "memory", `analysis exceeded its memory budget of ${this.memoryMb} MiB (the analysis thread was replaced)`);
      else this.retire(slot, "crash", `analysis thread died: ${err.message}`);
    });
    worker.on("exit", (code) => this.retire(slot, "crash", `analysis thread exited (code ${code})`));
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (!slot.ready || slot.job || slot.retired) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref(); // a sample in flight keeps the process alive until it is answered
      // The budget starts when this thread starts the sample, not while it queued behind others.
      slot.timer = setTimeout(() => this.retire(slot, "time", `analysis exceeded its time budget of ${this.timeBudgetMs} ms (the analysis thread was replaced)`), this.timeBudgetMs);
      slot.worker.postMessage({ id: job.id, request: job.request } satisfies AnalysisJobMessage);
    }
  }

  private finishJob(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
    slot.worker.unref();
  }

  /** Fail the slot's sample (if any), terminate the thread, start a replacement. */
  private retire(slot: Slot, why: "time" | "memory" | "crash", reason: string): void {
    if (slot.retired || this.closed) return;
    slot.retired = true;
    const job = slot.job;
    this.finishJob(slot);
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    void slot.worker.terminate();
    if (job) {
      this.replaced[why]++;
      job.resolve(failedOutcome(job.request, reason));
    }
    if (!slot.ready && ++this.startFailures >= MAX_START_FAILURES) {
      this.useFallback(reason);
      return;
    }
    this.spawn();
    this.pump();
  }

  private useFallback(reason: string): void {
    if (this.fallback) return;
    process.stderr.write(`securecoderl: analysis worker threads unavailable (${reason}); analysing in the main thread\n`);
    this.fallback = import("./analysis-run.js").then((m) => m.inThreadAnalysis);
    const pending = this.queue.splice(0);
    for (const job of pending) void this.fallback.then((r) => r.analyze(job.request)).then(job.resolve);
  }
}
