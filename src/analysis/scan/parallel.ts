import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
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

/**
 * What one worker is given: the shared work and the port it posts its batches to. A port of its
 * own rather than the worker's parentPort, because a port can be read synchronously
 * (receiveMessageOnPort): the main thread takes in the workers' batches between two of its own
 * instead of after its last one, when every worker batch would wait to be deserialized while the
 * other threads sit idle.
 */
export interface WorkerScanWork extends SharedScanWork {
  results: MessagePort;
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
  /** Per worker: the receiving end of its batch port (set by `begin`). */
  private ports: MessagePort[] = [];
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
      worker.on("message", (msg: ReadyMessage) => {
        if ("ready" in msg) settle();
      });
      worker.on("error", (err) => {
        if (process.env.SECURECODERL_DEBUG) process.stderr.write(`scan worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      });
      worker.on("exit", () => {
        // Everything it posted is queued on its port by now; take it before counting it gone.
        this.drainPort(i);
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
    this.ports = this.workers.map((w) => {
      const { port1, port2 } = new MessageChannel();
      w.postMessage({ ...work, results: port2 } satisfies WorkerScanWork, [port2]);
      return port1;
    });
    return work;
  }

  /** Keep a batch's outcomes (`thread` 0 is this one). */
  record(msg: BatchMessage, thread: number): void {
    if (this.results[msg.batch] === undefined) this.received++;
    this.results[msg.batch] = msg.outcomes;
    this.share[thread]!++;
    this.wake();
  }

  /** Take in the batches the workers have posted so far, without waiting for more. */
  drain(): void {
    for (let i = 0; i < this.ports.length; i++) this.drainPort(i);
  }

  private drainPort(i: number): void {
    const port = this.ports[i];
    if (!port) return;
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) this.record(m.message as BatchMessage, i + 1);
  }

  /**
   * Wait until every batch is in or no worker is left, then stop the workers (one still starting
   * up has nothing left to do). Batches a worker claimed but never returned stay undefined.
   */
  async finish(): Promise<(FileOutcome[] | undefined)[]> {
    this.drain();
    this.ports.forEach((port, i) => port.on("message", (msg: BatchMessage) => this.record(msg, i + 1)));
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
    for (const port of this.ports) port.close();
    await Promise.all(
      this.workers.map(async (w, i) => {
        await this.settled[i];
        w.unref();
        void w.terminate();
      }),
    );
  }
}
