import type { AnalyzerName } from "../analysis/finding.js";
import type { JobLimits, JobRunner, JudgeMode } from "../judge/index.js";
import { analyzersFor, type RewardSpec } from "../reward/index.js";
import { SandboxPool, type JobResult, type PythonJob } from "../sandbox/index.js";
import type { Task } from "../task/schema.js";
import { AnalysisPool, defaultAnalysisThreads } from "./analysis-pool.js";
import { evaluateSample, type EvaluateDeps, type SampleMeta, type TypeChecker } from "./evaluate.js";
import { batchedTypeChecker } from "./type-batcher.js";
import type { SampleResult } from "./types.js";

/**
 * What `bench`, `verify`, `serve` and the trainer need from a verifier: one sample in, one
 * result out. The in-process `Verifier` implements it; a remote client of `serve` can too.
 */
export interface SampleVerifier {
  verify(task: Task, completion: string, meta?: Partial<SampleMeta>): Promise<SampleResult>;
  close(): Promise<void>;
}

export interface VerifierOptions {
  spec: RewardSpec;
  /** Analyzers to run; default: rules and the detector, plus what the spec counts for `tasks`. */
  analyzers?: readonly AnalyzerName[];
  /** Tasks the verifier will see, so the default analyzer set covers what their spec needs. */
  tasks?: readonly Task[];
  judgeMode?: JudgeMode;
  limits?: JobLimits;
  /** Sandbox workers (ignored when `runner` is given). */
  jobs?: number;
  /** A runner of one's own (tests, remote sandboxes); the verifier then does not close it. */
  runner?: JobRunner;
  vulnBudgetMs?: number;
  /** Analysis worker threads (default: defaultAnalysisThreads(jobs), see analysis-pool.ts). */
  analysisThreads?: number;
  /** Per-sample analysis time budget in ms (default 20 s) and heap per analysis thread in MiB (default 512). */
  analysisBudgetMs?: number;
  analysisMemoryMb?: number;
  /** Largest program analysed, in UTF-8 bytes (default 256 KiB). */
  maxAnalysisBytes?: number;
}

/**
 * Rules and the detector run by default (reports show both); a caller may ask for others instead.
 * What the spec counts for `tasks` is always added (types for REAL on APPS+): a reward must never
 * read "no findings" from an analyzer that did not run. (Each sample also adds what its own
 * spec counts for its own task, for tasks not known up front.)
 */
export function analyzersToRun(requested: readonly AnalyzerName[] | undefined, spec: RewardSpec, tasks: readonly Task[]): AnalyzerName[] {
  const set = new Set<AnalyzerName>(requested ?? ["rules", "vuln"]);
  const seen = new Set<string>();
  for (const t of tasks) {
    const key = `${t.kind}/${t.source}`;
    if (seen.has(key)) continue;
    seen.add(key);
    for (const a of analyzersFor(spec, t)) set.add(a);
  }
  return [...set];
}

/**
 * Samples a caller keeps in flight per sandbox worker. A worker's next job is dispatched the
 * moment it finishes one only if the pool's queue holds a job: with fewer samples in flight, the
 * others may all be between sandbox jobs (on the main thread, or waiting on an analysis thread),
 * and the worker waits for them. `npm run bench:reward -- --jobs 2 --limit 150` (300 samples, load
 * 27-33 on 2 cores, two runs each): 2 per worker left the workers idle 2.0-2.5% of their time while
 * samples waited, 4 per worker 0.0-0.1%.
 */
export const SAMPLES_IN_FLIGHT_PER_WORKER = 4;

/**
 * The one per-sample pipeline every command uses (extract -> judge -> analyze -> reward). It owns
 * the sandbox pool, the analysis threads and the batched type checker, so callers hold one object
 * and close it once. `jobs` counts sandbox workers; analysis threads are sized from it.
 */
export class Verifier implements SampleVerifier {
  readonly analyzers: readonly AnalyzerName[];
  readonly spec: RewardSpec;
  /** Sandbox workers in use (what callers size their in-flight window by). */
  readonly jobs: number;
  private readonly deps: EvaluateDeps;
  private readonly ownPool: SandboxPool | undefined;
  private readonly analysisPool: AnalysisPool;
  private readonly runner: JobRunner;
  private typeChecker: TypeChecker | undefined;

  constructor(opts: VerifierOptions) {
    this.spec = opts.spec;
    this.analyzers = analyzersToRun(opts.analyzers, opts.spec, opts.tasks ?? []);
    this.ownPool = opts.runner ? undefined : new SandboxPool({ ...(opts.jobs ? { jobs: opts.jobs } : {}), ...(opts.limits ? { limits: opts.limits } : {}) });
    this.jobs = this.ownPool?.jobs ?? opts.jobs ?? 1;
    this.analysisPool = new AnalysisPool({
      threads: opts.analysisThreads ?? defaultAnalysisThreads(this.jobs),
      ...(opts.analysisBudgetMs ? { timeBudgetMs: opts.analysisBudgetMs } : {}),
      ...(opts.analysisMemoryMb ? { memoryMb: opts.analysisMemoryMb } : {}),
    });
    this.runner = opts.runner ?? this.ownPool!;
    // Started on first use: pyright is a second process, wanted only when some sample's spec counts types.
    const typeChecker: TypeChecker = (code, task) => (this.typeChecker ??= batchedTypeChecker())(code, task);
    this.deps = {
      pool: this.runner,
      spec: opts.spec,
      analyzers: this.analyzers,
      ...(opts.judgeMode ? { judgeMode: opts.judgeMode } : {}),
      ...(opts.limits ? { limits: opts.limits } : {}),
      typeChecker,
      ...(opts.vulnBudgetMs ? { vulnBudgetMs: opts.vulnBudgetMs } : {}),
      ...(opts.maxAnalysisBytes ? { maxAnalysisBytes: opts.maxAnalysisBytes } : {}),
      analysis: this.analysisPool,
    };
  }

  verify(task: Task, completion: string, meta: Partial<SampleMeta> = {}): Promise<SampleResult> {
    return evaluateSample(task, completion, this.deps, { ...meta, sampleIndex: meta.sampleIndex ?? 0, model: meta.model ?? "", dataset: meta.dataset ?? task.source });
  }

  /** One program through the verifier's sandbox, outside any task (the service's /run_code). */
  runProgram(job: PythonJob): Promise<JobResult> {
    return this.runner.run(job);
  }

  /** Starts the sandbox workers now rather than on the first sample (a service before it says ready). */
  async warm(): Promise<void> {
    await this.ownPool?.warm();
  }

  async close(): Promise<void> {
    await Promise.all([this.ownPool?.close(), this.analysisPool.close()]);
  }
}
