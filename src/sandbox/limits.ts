/** Resource limits for one sandboxed job. */
export interface Limits {
  /**
   * CPU time per job, summed over its processes (default 4000): counted in CPU time so that an
   * oversubscribed machine (--jobs 8 on 2 cores) cannot turn a pass into a timeout. A job that
   * sleeps or blocks is stopped by the wall-clock backstop, wallBackstopMs(timeoutMs).
   */
  timeoutMs: number;
  /** RLIMIT_CPU (default ceil(timeoutMs/1000)+1). */
  cpuSeconds: number;
  /** Address space the program may use on top of the pre-loaded interpreter (default 1024). */
  memoryMb: number;
  /** Cap per stream for stdout and stderr (default 1 MiB); exceeding it => status "output_limit". */
  maxOutputBytes: number;
  /** RLIMIT_NPROC (default 32), enforced because jobs run as a dedicated non-root uid. */
  maxProcesses: number;
  /** RLIMIT_FSIZE (default 16 MiB). */
  maxFileBytes: number;
  /** RLIMIT_NOFILE (default 64). */
  maxOpenFiles: number;
}

export const DEFAULT_LIMITS: Readonly<Omit<Limits, "cpuSeconds">> = {
  timeoutMs: 4000,
  memoryMb: 1024,
  maxOutputBytes: 1024 * 1024,
  maxProcesses: 32,
  maxFileBytes: 16 * 1024 * 1024,
  maxOpenFiles: 64,
};

/** Merge layers of partial limits over the defaults; cpuSeconds follows timeoutMs unless set. */
export function resolveLimits(...layers: Array<Partial<Limits> | undefined>): Limits {
  const merged: Partial<Limits> = { ...DEFAULT_LIMITS };
  for (const layer of layers) {
    if (!layer) continue;
    for (const [k, v] of Object.entries(layer)) {
      if (v !== undefined) (merged as Record<string, number>)[k] = v;
    }
  }
  const timeoutMs = positive(merged.timeoutMs, DEFAULT_LIMITS.timeoutMs);
  return {
    timeoutMs,
    cpuSeconds: positive(merged.cpuSeconds, Math.ceil(timeoutMs / 1000) + 1),
    memoryMb: positive(merged.memoryMb, DEFAULT_LIMITS.memoryMb),
    maxOutputBytes: positive(merged.maxOutputBytes, DEFAULT_LIMITS.maxOutputBytes),
    maxProcesses: positive(merged.maxProcesses, DEFAULT_LIMITS.maxProcesses),
    maxFileBytes: positive(merged.maxFileBytes, DEFAULT_LIMITS.maxFileBytes),
    maxOpenFiles: positive(merged.maxOpenFiles, DEFAULT_LIMITS.maxOpenFiles),
  };
}

function positive(v: number | undefined, fallback: number): number {
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? Math.ceil(v) : fallback;
}

/**
 * Wall-clock limit behind the CPU-time limit: generous enough that a job starved of CPU by other
 * jobs still finishes on its CPU budget, tight enough that sleeping or blocked jobs end.
 */
export function wallBackstopMs(timeoutMs: number): number {
  return timeoutMs * 3 + 1000;
}
