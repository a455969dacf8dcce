import { spawn, type ChildProcess } from "node:child_process";
import type { Socket } from "node:net";
import { wallBackstopMs, type Limits } from "./limits.js";
import type { RunStatus } from "./outcome.js";
import type { JobResult, PythonJob } from "./types.js";

/** What the worker reports once its interpreter and pre-imports are loaded. */
export interface WorkerHello {
  python: string;
  executable: string;
  numpy: boolean;
  preloaded: string[];
  non_dumpable: boolean;
  uid: number;
  nproc_limit: number;
}

interface WireResult {
  id: number;
  status: RunStatus;
  exit_code?: number | null;
  stdout?: string;
  stderr?: string;
  channel?: string;
  wall_ms?: number;
  cpu_ms?: number;
  max_rss_kb?: number;
  exception?: string;
  note?: string;
}

interface InFlight {
  id: number;
  started: number;
  resolve: (r: JobResult) => void;
  watchdog: NodeJS.Timeout;
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
    const frame = encodeFrame({
      id,
      ...(typeof job.code === "string" ? { code: job.code } : { code_b64: job.code.toString("base64") }),
      filename: job.filename ?? "<program>",
      stdin: toBuffer(job.stdin ?? "").toString("base64"),
      files: Object.fromEntries(Object.entries(job.files ?? {}).map(([k, v]) => [k, toBuffer(v).toString("base64")])),
      limits: { ...limits, wallMs: wallBackstopMs(limits.timeoutMs), enforceNproc: this.enforceNproc },
      ...(job.cacheCompiled === true && typeof job.code === "string" ? { cache: true } : {}),
    });
    return new Promise<JobResult>((resolve) => {
      const started = Date.now();
      const watchdog = setTimeout(() => {
        // The worker enforces the timeout itself; silence past it means it was stopped or wedged.
        this.finish({ ...sandboxError(""), status: "timeout", stderr: "[sandbox] worker stopped answering past the time limit; it was restarted\n", wall_ms: Date.now() - started });
        this.kill();
      }, wallBackstopMs(limits.timeoutMs) + WATCHDOG_GRACE_MS);
      this.inFlight = { id, started, resolve, watchdog };
      this.proc.stdin!.write(frame);
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
      const body = this.pending.subarray(4, 4 + len);
      this.pending = this.pending.subarray(4 + len);
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
    const w = msg as unknown as WireResult;
    if (!this.inFlight || w.id !== this.inFlight.id) {
      // Out-of-turn frames mean the protocol is compromised; never attribute them to a job.
      this.kill();
      return;
    }
    this.finish(fromWire(w));
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

function decode(b64: string | undefined): string {
  return b64 ? Buffer.from(b64, "base64").toString("utf8") : "";
}

function fromWire(w: WireResult): JobResult {
  let stderr = decode(w.stderr);
  if (w.note) stderr += `${stderr && !stderr.endsWith("\n") ? "\n" : ""}[sandbox] ${w.note}\n`;
  const result: JobResult = {
    status: w.status,
    exit_code: w.exit_code ?? null,
    stdout: decode(w.stdout),
    stderr,
    wall_ms: round(w.wall_ms ?? 0),
    cpu_ms: round(w.cpu_ms ?? 0),
    max_rss_kb: w.max_rss_kb ?? 0,
  };
  if (w.exception) result.exception = w.exception;
  if (w.channel !== undefined) result.channel = decode(w.channel);
  return result;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
