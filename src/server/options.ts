import type { AnalyzerName } from "../analysis/finding.js";
import type { JudgeMode } from "../judge/index.js";
import type { RewardSpec } from "../reward/index.js";

/** Everything one server process needs (docs/cli/serve.md gives each flag). */
export interface ServeOptions {
  host: string;
  port: number;
  /** Read-only task stores, loaded at start: anything `loadTasks` reads. */
  tasks: string[];
  /** The spec for requests that name none (default `real`). */
  spec: RewardSpec;
  judge: JudgeMode;
  /** Analyzers instead of the default rules + vuln (the spec's own always run). */
  analyzers?: AnalyzerName[];
  /** Sandbox workers in this process. */
  jobs: number;
  /** Samples verified at once in this process (default jobs x SAMPLES_IN_FLIGHT_PER_WORKER, as verify and bench: the other samples are on the main or analysis threads while a worker runs one). */
  concurrency: number;
  /** Samples admitted but not yet started, at most; beyond it: 503 (504 on /run_code). */
  queue: number;
  /** A request not answered within this time gets 503 (504 on /run_code); queued samples are dropped. */
  deadlineMs: number;
  maxBodyBytes: number;
  /** Results kept for repeated (task, completion, spec, settings): GRPO sends duplicates. */
  cacheEntries: number;
  /** Per-test limits when a request names none, and the most a request may ask for. */
  timeoutMs: number;
  memoryMb: number;
  maxTimeoutMs: number;
  maxMemoryMb: number;
  /** Bearer token every request but /healthz and /readyz must carry. */
  token?: string;
}

export const SERVE_DEFAULTS = {
  host: "127.0.0.1",
  port: 8000,
  queue: 1024,
  deadlineMs: 170_000,
  maxBodyBytes: 64 * 1024 * 1024,
  cacheEntries: 20_000,
  timeoutMs: 4000,
  memoryMb: 1024,
  maxTimeoutMs: 30_000,
  maxMemoryMb: 4096,
} as const;
