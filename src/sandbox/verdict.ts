import type { Limits } from "./limits.js";
import type { JobResult } from "./types.js";

/**
 * What the worker observed about one job (python/scrl_worker_job.py): the wait status, clocks,
 * limits hit. None of it is anything the job wrote, so the job cannot forge how it ended.
 */
export interface WorkerObservation {
  id: number;
  exited?: boolean;
  exit_code?: number;
  signal?: number;
  timed_out?: boolean;
  over_cap?: boolean;
  shm_over?: boolean;
  wall_ms?: number;
  cpu_ms?: number;
  max_rss_kb?: number;
  /** The job never ran: the sandbox lost it (its child vanished, an internal error). */
  lost?: string;
  retire?: string;
}

/** The bytes a job's child wrote, by pipe, as the worker passed them on (each already capped). */
export interface JobBytes {
  stdout: Buffer;
  stderr: Buffer;
  channel: Buffer;
  /** Trusted pipe: the sandbox's own lines ({"scrl": ...}) and trusted code's reports, never the program's. */
  trusted: Buffer;
  /** The program's own exception report (untrusted: it only says what the program could say). */
  report: Buffer;
}

interface SandboxLine {
  scrl: string;
  [k: string]: unknown;
}

const SIGNAL_NAMES: Record<number, string> = {
  1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL",
  10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM", 24: "SIGXCPU", 25: "SIGXFSZ", 31: "SIGSYS",
};
const SIGXCPU = 24;
const SIGKILL = 9;

/** Splits the trusted pipe into the sandbox's own lines and the trusted code's text. */
function splitTrusted(text: string): { sandbox: SandboxLine[]; rest: string } {
  const sandbox: SandboxLine[] = [];
  const rest: string[] = [];
  // Lines with their newlines, found by indexOf: a split on /(?<=\n)/ gives the same pieces but cost
  // ~0.06 ms a sample on the main thread (the lookbehind is tried at every character).
  let start = 0;
  do {
    const nl = text.indexOf("\n", start);
    const end = nl < 0 ? text.length : nl + 1;
    const line = text.slice(start, end);
    start = end;
    if (line.startsWith('{"scrl": ')) {
      try {
        const parsed = JSON.parse(line) as unknown;
        if (parsed && typeof parsed === "object" && typeof (parsed as SandboxLine).scrl === "string") {
          sandbox.push(parsed as SandboxLine);
          continue;
        }
      } catch {
        // not one of ours: trusted code's own text
      }
    }
    rest.push(line);
  } while (start < text.length);
  return { sandbox, rest: rest.join("") };
}

function parseReport(buf: Buffer): { exception?: string; memory?: boolean } {
  if (buf.length === 0) return {};
  try {
    const r = JSON.parse(buf.toString("utf8")) as unknown;
    return r && typeof r === "object" ? (r as { exception?: string; memory?: boolean }) : {};
  } catch {
    return {};
  }
}

/**
 * The job's status from the worker's observations first (limits, wait status), then the sandbox's
 * trusted lines (set-up failure, compile error), and only then the program's own exception report,
 * which can turn nothing but its own normal exit into a runtime error (as raising would).
 */
export function decideVerdict(obs: WorkerObservation, bytes: JobBytes, limits: Limits): JobResult {
  const { sandbox, rest } = splitTrusted(bytes.trusted.toString("utf8"));
  const find = (kind: string) => sandbox.find((l) => l.scrl === kind);
  const started = find("start") !== undefined;
  const report = parseReport(bytes.report);
  const result: JobResult = {
    status: "ok",
    exit_code: null,
    stdout: bytes.stdout.toString("utf8"),
    stderr: bytes.stderr.toString("utf8"),
    wall_ms: round(obs.wall_ms ?? 0),
    cpu_ms: round(obs.cpu_ms ?? 0),
    max_rss_kb: obs.max_rss_kb ?? 0,
  };
  if (bytes.channel.length) result.channel = bytes.channel.toString("utf8");
  if (rest) result.trusted = rest;
  let note: string | undefined;
  const sig = obs.signal;
  const setup = find("setup_error");
  const badFile = find("bad_file");
  const compileError = find("compile_error");
  if (obs.lost !== undefined) {
    result.status = "sandbox_error";
    note = obs.lost;
  } else if (obs.over_cap) {
    result.status = "output_limit";
  } else if (obs.timed_out) {
    result.status = "timeout";
  } else if (sig !== undefined && (sig === SIGXCPU || (sig === SIGKILL && (obs.cpu_ms ?? 0) >= limits.cpuSeconds * 1000 - 50))) {
    result.status = "timeout";
    note = "CPU time limit exceeded";
  } else if (obs.shm_over) {
    result.status = "memory_limit";
    note = "SysV shared memory past the memory limit";
  } else if (badFile) {
    result.status = "sandbox_error";
    note = `file name escapes the job directory: ${JSON.stringify(badFile.name)}`;
  } else if (setup) {
    result.status = "sandbox_error";
    note = `sandbox setup failed: ${String(setup.error)}`;
  } else if (find("compile_memory")) {
    result.status = "memory_limit";
    result.exception = "MemoryError";
    result.exit_code = obs.exit_code ?? null;
  } else if (compileError) {
    result.status = "compile_error";
    result.exit_code = obs.exit_code ?? null;
  } else if (!started) {
    // Nothing of the job ran (the trusted "start" line is missing): the sandbox's failure.
    result.status = "sandbox_error";
    note = `sandbox child failed before running the program${sig !== undefined ? ` (signal ${signalName(sig)})` : ` (exit ${obs.exit_code ?? "?"})`}`;
  } else if (sig !== undefined) {
    result.status = "runtime_error";
    note = `program killed by signal ${signalName(sig)}`;
  } else if (typeof report.exception === "string" && obs.exit_code !== 0) {
    result.status = report.memory === true ? "memory_limit" : "runtime_error";
    result.exception = report.exception;
    result.exit_code = obs.exit_code ?? null;
  } else {
    result.exit_code = obs.exit_code ?? null;
  }
  if (note) result.stderr += `${result.stderr && !result.stderr.endsWith("\n") ? "\n" : ""}[sandbox] ${note}\n`;
  return result;
}

function signalName(sig: number): string {
  return SIGNAL_NAMES[sig] ?? String(sig);
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
