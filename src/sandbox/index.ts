/** Public face of the sandbox: warm bubblewrap'd Python workers, limits, outcomes, diagnostics. */
export { SandboxPool, defaultJobs, sandboxUidRange, type SandboxPoolOptions } from "./pool.js";
export { DEFAULT_LIMITS, resolveLimits, wallBackstopMs, type Limits } from "./limits.js";
export type { PythonJob, JobResult } from "./types.js";
export { SandboxUnavailableError } from "./locate.js";
export { checkSandbox, type DoctorReport, type DoctorCheck } from "./doctor.js";
export * from "./outcome.js";
