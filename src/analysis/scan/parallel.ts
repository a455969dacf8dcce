import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { FileOutcome, ScanOptions } from "./scanner.js";

// Kept free of the parser and the rules (type imports only), so the CLI can start workers before
// it loads them itself: a worker boots on another CPU while this thread loads its own copy.

// The worker module sits next to this one: dist/analysis/scan/ from tsc, dist/bundle/ in the
// bundle (scripts/build-bundle.mjs names its worker entry worker.js for this).
const WORKER_URL = new URL("./worker.js", import.meta.url);

/** Workers need the compiled worker module; under a TypeScript test runner there is none. */
export function workerAvailable(): boolean {
  return existsSync(fileURLToPath(WORKER_URL));
}

/**
 * Work shared by the threads of one scan: the files, cut into batches, and a counter in shared
 * memory from which each thread claims the next batch. Claiming needs no message round trip, so
 * the main thread can scan its share synchronously while the workers help themselves.
 */
export interface SharedScanWork {
  files: readonly string[];
  batchSize: number;
  /** One Int32: the next unclaimed batch index. */
  counter: SharedArrayBuffer;
  options: ScanOptions;
}

/** What a scan worker posts: one batch's outcomes, in file order. */
export interface BatchMessage {
  batch: number;
  outcomes: FileOutcome[];
}

/** Posted once by a scan worker when its modules (the native parser included) are loaded. */
export interface ReadyMessage {
  ready: true;
}

/**
 * Scan worker threads, started before the work is known (each loads the parser and the rules
 * meanwhile), then given one scan with `begin`. Collects the batches they post.
 */
export class ScanWorkerPool {
  private readonly workers: Worker[];
  private results: (FileOutcome[] | undefined)[] = [];
  private received = 0;
  private running: number;
  private wake: () => void = () => {};
  /** Per worker: settles once it is safe to terminate (its modules are loaded, or it exited). */
  private readonly settled: Promise<void>[] = [];
  /** Batches each thread scanned, this one first. */
  readonly share: number[];

  /** `workerUrl`: the worker module (tests substitute one that fails). */
  constructor(
    readonly size: number,
    workerUrl: URL = WORKER_URL,
  ) {
    this.running = size;
    this.share = new Array<number>(size + 1).fill(0);
    this.workers = Array.from({ length: size }, (_, i) => {
      // No resourceLimits: raising maxYoungGenerationSizeMb (16 to 128) left a worker's scavenge
      // count unchanged (14 over 500 files): the young generation grows from its small initial
      // size and never reached the cap, and scavenge time is set by the objects that survive.
      const worker = new Worker(workerUrl);
      let settle!: () => void;
      this.settled.push(new Promise<void>((resolve) => (settle = resolve)));
      worker.on("message", (msg: BatchMessage | ReadyMessage) => {
        if ("ready" in msg) settle();
        else this.record(msg, i + 1);
      });
      worker.on("error", (err) => {
        if (process.env.SECURECODERL_DEBUG) process.stderr.write(`scan worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      });
      worker.on("exit", () => {
        settle();
        this.running--;
        this.wake();
      });
      return worker;
    });
  }

  /** Hand the workers the scan; they claim batches as soon as they are up. */
  begin(files: readonly string[], options: ScanOptions): SharedScanWork {
    // Small batches keep the tail short (the last batches end close together); claiming one is a
    // single atomic add.
    const threads = this.size + 1;
    const batchSize = Math.max(1, Math.min(8, Math.floor(files.length / (threads * 16))));
    const work: SharedScanWork = { files, batchSize, counter: new SharedArrayBuffer(4), options };
    // Filled, not sparse: array methods skip holes, and a missing batch must be seen as missing.
    this.results = Array.from({ length: Math.ceil(files.length / batchSize) }, () => undefined);
    for (const w of this.workers) w.postMessage(work);
    return work;
  }

  /** Keep a batch's outcomes (`thread` 0 is this one). */
  record(msg: BatchMessage, thread: number): void {
    if (this.results[msg.batch] === undefined) this.received++;
    this.results[msg.batch] = msg.outcomes;
    this.share[thread]!++;
    this.wake();
  }

  /**
   * Wait until every batch is in or no worker is left, then stop the workers (one still starting
   * up has nothing left to do). Batches a worker claimed but never returned stay undefined.
   */
  async finish(): Promise<(FileOutcome[] | undefined)[]> {
    await new Promise<void>((resolve) => {
      this.wake = () => {
        if (this.received === this.results.length || this.running === 0) resolve();
      };
      this.wake();
    });
    await this.stop();
    return this.results;
  }

  /**
   * Stop the workers without waiting for them to wind down (a scan worker took ~60 ms after its
   * last batch, time this thread spends building and writing the report instead; unref'd workers
   * do not keep the process alive). A worker still loading the native parser is not cut off: a
   * terminate there aborted the whole process ("terminate called after throwing Napi::Error", seen
   * with 5 threads on 97 files), so each worker is stopped once it has said it is ready or exited.
   */
  async stop(): Promise<void> {
    await Promise.all(
      this.workers.map(async (w, i) => {
        await this.settled[i];
        w.unref();
        void w.terminate();
      }),
    );
  }
}
