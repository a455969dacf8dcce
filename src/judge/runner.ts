import type { JobResult, Limits, PythonJob } from "../sandbox/index.js";
import { driverSource } from "./driver-source.js";

/** What the judge needs from a sandbox: `SandboxPool` satisfies it; tests may pass a pool of their own. */
export interface JobRunner {
  run(job: PythonJob): Promise<JobResult>;
  /** The runner's own defaults for what a job leaves out (`SandboxPool` has them); DEFAULT_LIMITS otherwise. */
  readonly defaultLimits?: Limits;
}

/** Limits the judge applies to every job of a sample (the pool's defaults fill the rest). */
export interface JobLimits {
  timeoutMs?: number;
  memoryMb?: number;
}

/** One JSON line the driver wrote, on the trusted pipe or on the result channel. */
export type DriverReport = Record<string, unknown>;

export interface DriverRun {
  result: JobResult;
  /** The driver's report; null when the job ended before the driver reported (exit, crash, limit). */
  report: DriverReport | null;
  /** Every report line, in the order written (drivers that report as they go). */
  reports: DriverReport[];
}

/**
 * Runs the in-sandbox driver in `mode`. Program and test files are written into the job's cwd and
 * deleted by the driver before program code runs. What only the judge may say (started, compiled,
 * a compile error, expected values) is read from the trusted pipe alone, which the driver seals
 * before candidate code runs; lines on the result channel that claim one of those are dropped, so
 * the channel carries only what the candidate could say itself (docs/sandbox.md).
 */
export async function runDriver(
  runner: JobRunner,
  mode: string,
  spec: Record<string, unknown>,
  files: Record<string, string>,
  opts: { stdin?: string; limits?: JobLimits; sandboxLimits?: PythonJob["limits"] } = {},
): Promise<DriverRun> {
  const fullSpec = { ...spec, mode, read: Object.keys(files) };
  const job: PythonJob = {
    code: driverSource(),
    filename: "<scrl-driver>",
    cacheCompiled: true,
    files: { ...files, "scrl_spec.json": specJson(fullSpec) },
  };
  if (opts.stdin !== undefined) job.stdin = opts.stdin;
  if (opts.limits) job.limits = toSandboxLimits(opts.limits);
  if (opts.sandboxLimits) job.limits = { ...job.limits, ...opts.sandboxLimits };
  const ran = await runner.run(job);
  const trusted = findReports(ran.trusted);
  const untrusted = findReports(ran.channel).filter((r) => !TRUSTED_ONLY.some((k) => k in r));
  const started = trusted.some((r) => r.started === true);
  const reports = [...trusted.filter((r) => r.started !== true), ...untrusted];
  // Once the driver has started, candidate code shares the process: a child that then fails to
  // report (builtins replaced, the exit path broken) failed because of the program, so it is the
  // program's runtime error, never a judge failure a hack could hide a wrong answer behind.
  const result: JobResult = started && ran.status === "sandbox_error"
    ? { ...ran, status: "runtime_error", stderr: `${ran.stderr}[judge] the program broke the sandbox child after the driver started\n` }
    : ran;
  return { result, report: reports[reports.length - 1] ?? null, reports };
}

/** Report fields only the driver's trusted phase may write. */
const TRUSTED_ONLY = ["started", "compiled", "expected", "inputs", "bad_case", "case", "end"];

/**
 * The spec as JSON, with BigInt arguments (from a loader that kept big integers exact) written as
 * their exact digits, which Python's json reads back as the same int.
 */
export function specJson(spec: unknown): string {
  const marks = new Map<string, string>();
  const text = JSON.stringify(spec, (_key, value: unknown) => {
    if (typeof value !== "bigint") return value;
    const mark = `__scrl_bigint_${marks.size}__`;
    marks.set(mark, value.toString());
    return mark;
  });
  return marks.size === 0 ? text : text.replace(/"__scrl_bigint_\d+__"/g, (m) => marks.get(m.slice(1, -1)) ?? m);
}

export function toSandboxLimits(limits: JobLimits): PythonJob["limits"] {
  const out: NonNullable<PythonJob["limits"]> = {};
  if (limits.timeoutMs !== undefined) out.timeoutMs = limits.timeoutMs;
  if (limits.memoryMb !== undefined) out.memoryMb = limits.memoryMb;
  return out;
}

const OPENS_OBJECT = /^[ \t\r\n]*\{/;

/**
 * Every well-formed report line: a JSON object alone on its line (other text is ignored). Which
 * lines the judge may believe depends on where they came from, the trusted pipe or the channel
 * (runDriver); no line carries a secret, so none needs to be recognised by one.
 */
export function findReports(text: string | undefined): DriverReport[] {
  if (!text) return [];
  const out: DriverReport[] = [];
  for (const line of text.split("\n")) {
    // Only a line that opens an object can be a report; the rest (blank lines, the program's own
    // text) would each cost a thrown SyntaxError, ~0.2 ms a sample on the main thread.
    if (!OPENS_OBJECT.test(line)) continue;
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) out.push(parsed as DriverReport);
    } catch {
      // a torn or forged line is no report
    }
  }
  return out;
}
