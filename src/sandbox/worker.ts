import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import type { Socket } from "node:net";
import { wallBackstopMs, type Limits } from "./limits.js";
import { onDemandModules } from "./preload.js";
import type { JobResult, PythonJob } from "./types.js";
import { decideVerdict, type JobBytes, type WorkerObservation } from "./verdict.js";

/** What the worker reports once its interpreter and pre-imports are loaded. */
export interface WorkerHello {
  python: string;
  executable: string;
  preloaded: string[];
  /** Imported in a job's child only when the job names them (src/sandbox/preload.ts). */
  on_demand: string[];
  non_dumpable: boolean;
  uid: number;
  nproc_limit: number;
}

interface InFlight {
  id: number;
  started: number;
  limits: Limits;
  resolve: (r: JobResult) => void;
  watchdog: NodeJS.Timeout;
  /** The job's bytes by pipe, as the worker splices them through (see python/scrl_worker_job.py). */
  chunks: Record<keyof JobBytes, Buffer[]>;
}

/** Kind byte of a worker frame: JSON, or one of the job's pipes. */
const CHUNK_KINDS: Record<number, keyof JobBytes> = {
  0x6f: "stdout", // o
  0x65: "stderr", // e
  0x63: "channel", // c
  0x74: "trusted", // t
  0x78: "report", // x
};
const KIND_JSON = 0x4a; // J

/** Cache keys of trusted code, by its text (the judge driver: one or two distinct texts per process). */
const cacheKeys = new Map<string, string>();
function cacheKey(code: string, filename: string): string {
  let key = cacheKeys.get(code);
  if (key === undefined) {
    key = createHash("sha256").update(filename).update("\0").update(code).digest("hex").slice(0, 32);
    if (cacheKeys.size > 16) cacheKeys.clear();
    cacheKeys.set(code, key);
  }
  return key;
}

/** Extra time past a job's own timeout before the worker is presumed hung and restarted. */
const WATCHDOG_GRACE_MS = 5000;
const STARTUP_TIMEOUT_MS = 30_000;
const CLOSE_GRACE_MS = 1000;
const STDERR_TAIL_BYTES = 8192;

let nextJobId = 1;

export function sandboxError(message: string, wallMs = 0): JobResult {
  return { status: "sandbox_error", exit_code: null, stdout: "", stderr: message.endsWith("\n") ? message : `${message}\n`, wall_ms: wallMs, cpu_ms: 0, max_rss_kb: 0 };
}

/**
 * One warm sandboxed interpreter (bubblewrap + python3 running python/scrl_worker.py) that runs
 * one job at a time. It dies on its own terms (a job may SIGKILL it); the pool replaces dead ones.
 */
export class SandboxWorker {
  readonly ready: Promise<WorkerHello>;
  private readonly proc: ChildProcess;
  private pending: Buffer = Buffer.alloc(0);
  private inFlight: InFlight | undefined;
  private stderrTail = "";
  private dead = false;
  private hello: WorkerHello | undefined;
  /** Trusted code this worker has compiled ({"define"} frames). */
  private readonly defined = new Set<string>();
  private readyResolve!: (h: WorkerHello) => void;
  private readyReject!: (e: Error) => void;
  private readonly exited: Promise<void>;

  /**
   * @param uid the dedicated uid the worker runs as (root only), for leftover-process checks
   * @param enforceNproc whether jobs get RLIMIT_NPROC (see `nprocLimitHolds`)
   */
  constructor(argv: string[], readonly uid: number | undefined, private readonly enforceNproc: boolean) {
    this.ready = new Promise<WorkerHello>((res, rej) => {
      this.readyResolve = res;
      this.readyReject = rej;
    });
    // A rejected start-up is reported through run(); keep it from being an unhandled rejection.
    this.ready.catch(() => undefined);
    const [cmd, ...args] = argv;
    this.proc = spawn(cmd!, args, { stdio: ["pipe", "pipe", "pipe"], env: {} });
    this.exited = new Promise((res) => this.proc.once("close", () => res()));
    const startupTimer = setTimeout(() => {
      if (!this.hello) this.fail(`sandbox worker did not start within ${STARTUP_TIMEOUT_MS} ms`);
    }, STARTUP_TIMEOUT_MS);
    startupTimer.unref();
    this.proc.stdout!.on("data", (chunk: Buffer) => this.onData(chunk));
    this.proc.stderr!.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-STDERR_TAIL_BYTES);
    });
    this.proc.stdin!.on("error", () => undefined); // EPIPE when the worker is gone; 'exit' handles it
    this.proc.on("error", (err) => this.fail(`cannot start sandbox worker: ${err.message}`));
    this.proc.on("exit", (code, signal) => {
      clearTimeout(startupTimer);
      this.fail(`sandbox worker exited (${signal ?? `code ${code}`})`);
    });
    // Idle workers must not keep the Node process alive; a job in flight holds a ref'd watchdog timer.
    this.proc.unref();
    for (const s of [this.proc.stdin, this.proc.stdout, this.proc.stderr]) (s as unknown as Socket).unref?.();
  }

  get alive(): boolean {
    return !this.dead;
  }

  get busy(): boolean {
    return this.inFlight !== undefined;
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** Runs one job; resolves with a verdict whatever happens to the worker. */
  async run(job: PythonJob, limits: Limits): Promise<JobResult> {
    if (this.inFlight) throw new Error("SandboxWorker.run: worker is busy");
    try {
      await this.ready;
    } catch (err) {
      return sandboxError(`${(err as Error).message}${this.stderrTail ? `\n${this.stderrTail}` : ""}`);
    }
    if (this.dead) return sandboxError("sandbox worker is not running");
    const id = nextJobId++;
    const filename = job.filename ?? "<program>";
    const frames: Buffer[] = [];
    let key: string | undefined;
    if (job.cacheCompiled === true && typeof job.code === "string") {
      key = cacheKey(job.code, filename);
      if (!this.defined.has(key)) {
        frames.push(encodeFrame({ define: key, code: job.code, filename }));
        this.defined.add(key);
      }
    }
    // The body goes to the job's child unread by the worker (spliced): the worker never holds it.
    const body = Buffer.from(JSON.stringify({
      ...(key !== undefined ? {} : typeof job.code === "string" ? { code: job.code } : { code_b64: job.code.toString("base64") }),
      filename,
      stdin: toBuffer(job.stdin ?? "").toString("base64"),
      files: Object.fromEntries(Object.entries(job.files ?? {}).map(([k, v]) => [k, toBuffer(v).toString("base64")])),
    }), "utf8");
    const preload = onDemandModules(job);
    frames.push(encodeFrame({
      id,
      limits: { ...limits, wallMs: wallBackstopMs(limits.timeoutMs), enforceNproc: this.enforceNproc },
      body: body.length,
      ...(key !== undefined ? { cache_key: key } : {}),
      ...(preload.length > 0 ? { preload } : {}),
    }), body);
    return new Promise<JobResult>((resolve) => {
      const started = Date.now();
      const watchdog = setTimeout(() => {
        // The worker enforces the timeout itself; silence past it means it was stopped or wedged.
        this.finish({ ...sandboxError(""), status: "timeout", stderr: "[sandbox] worker stopped answering past the time limit; it was restarted\n", wall_ms: Date.now() - started });
        this.kill();
      }, wallBackstopMs(limits.timeoutMs) + WATCHDOG_GRACE_MS);
      this.inFlight = { id, started, limits, resolve, watchdog, chunks: { stdout: [], stderr: [], channel: [], trusted: [], report: [] } };
      this.proc.stdin!.write(Buffer.concat(frames));
    });
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      try {
        this.proc.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
    this.fail("sandbox worker killed");
  }

  /**
   * Stops the worker and waits until its process is reaped. An idle worker is asked to leave (EOF
   * on its control pipe: it kills anything left and exits, so bubblewrap unwinds cleanly); a busy
   * or unresponsive one is SIGKILLed, and --die-with-parent takes the namespace down with it.
   */
  async close(): Promise<void> {
    if (this.proc.pid === undefined) return;
    // The process and its pipes are unref'd so idle workers never hold the CLI open; while closing,
    // they must hold it, or a worker slower than the grace (tearing down a tmpfs of 200k files)
    // empties the event loop mid-await and Node exits 13 with nothing printed.
    this.proc.ref();
    for (const s of [this.proc.stdin, this.proc.stdout, this.proc.stderr]) (s as unknown as Socket).ref?.();
    if (!this.dead && !this.inFlight) {
      this.proc.stdin!.end();
      const timer = setTimeout(() => this.kill(), CLOSE_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
      this.fail("sandbox worker closed");
      return;
    }
    this.kill();
    await this.exited;
  }

  private onData(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 4) {
      const len = this.pending.readUInt32BE(0);
      if (this.pending.length < 4 + len) break;
      const kind = len > 0 ? this.pending[4]! : -1;
      const body = this.pending.subarray(5, 4 + len);
      this.pending = this.pending.subarray(4 + len);
      const pipe = CHUNK_KINDS[kind];
      if (pipe !== undefined) {
        // A chunk belongs to the job in flight; one with none in flight means the protocol is broken.
        if (!this.inFlight) {
          this.kill();
          return;
        }
        this.inFlight.chunks[pipe].push(Buffer.from(body));
        continue;
      }
      if (kind !== KIND_JSON) {
        this.fail("sandbox worker sent a malformed frame");
        this.kill();
        return;
      }
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
      } catch {
        this.fail("sandbox worker sent a malformed frame");
        this.kill();
        return;
      }
      this.onMessage(msg);
    }
  }

  private onMessage(msg: Record<string, unknown>): void {
    if (msg.ready === true && !this.hello) {
      this.hello = msg as unknown as WorkerHello;
      this.readyResolve(this.hello);
      return;
    }
    const w = msg as unknown as WorkerObservation;
    const f = this.inFlight;
    if (!f || w.id !== f.id) {
      // Out-of-turn frames mean the protocol is compromised; never attribute them to a job.
      this.kill();
      return;
    }
    const c = f.chunks;
    const bytes: JobBytes = {
      stdout: Buffer.concat(c.stdout), stderr: Buffer.concat(c.stderr), channel: Buffer.concat(c.channel),
      trusted: Buffer.concat(c.trusted), report: Buffer.concat(c.report),
    };
    this.finish(decideVerdict(w, bytes, f.limits));
    // The worker could not return to a clean state after this job (state it cannot remove): it is
    // leaving, and must not be handed another job in the meantime.
    if (typeof msg.retire === "string") this.kill();
  }

  private finish(result: JobResult): void {
    const f = this.inFlight;
    if (!f) return;
    this.inFlight = undefined;
    clearTimeout(f.watchdog);
    f.resolve(result);
  }

  private fail(reason: string): void {
    this.dead = true;
    if (!this.hello) this.readyReject(new Error(`${reason}${this.stderrTail ? `: ${this.stderrTail.trim()}` : ""}`));
    if (this.inFlight) {
      // The worker is init of its pid namespace, so a job cannot kill it; its death is the sandbox's failure.
      this.finish(sandboxError(`[sandbox] worker died while running the job (${reason}); it is restarted for the next job`, Date.now() - this.inFlight.started));
    }
  }
}

function toBuffer(v: string | Buffer): Buffer {
  return typeof v === "string" ? Buffer.from(v, "utf8") : v;
}

function encodeFrame(obj: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(obj), "utf8");
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

