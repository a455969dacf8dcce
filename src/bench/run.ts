import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { readSamplesFile, type Prompt, type PromptStyle, type RetryEvent } from "../policy/index.js";
import { getSpec, parseSpec, type RewardSpec } from "../reward/index.js";
import { loadTasks } from "../task/index.js";
import { modelLabel, parseBenchConfig, type BenchConfig } from "./config.js";
import { failedSample, forEachBounded, RemoteVerifier, SAMPLES_IN_FLIGHT_PER_WORKER, Verifier, type SampleResult, type SampleVerifier } from "../verify/index.js";
import { generateStage, type LoadedDataset } from "./generate.js";
import { renderOutputs, type OutputPaths } from "./outputs.js";
import { createProgress, type StageProgress } from "./progress.js";
import { analyzersForEverySpec, rewardsUnderEverySpec, type RewardsBySpec } from "./rewards.js";
import { readPromptTemplates, runSettings, type RunSettings } from "./settings.js";
import { RunStore, UNKNOWN_DATASET_LABEL, type PlannedSample, type RunIssue, type StoredSample } from "./store.js";

/**
 * A bench run: plan (tasks x models x samples) -> generate and verify, streamed (a sample is
 * verified as soon as its completion arrives) -> render. The plan and every finished sample live
 * in DIR/run.sqlite; outputs are rendered from the store at the end, so a resumed run writes the
 * same results.jsonl as one that was never interrupted.
 */

export const STORE_FILE = "run.sqlite";
/** Label for samples whose task id is in no loaded dataset. */
export const UNKNOWN_DATASET = UNKNOWN_DATASET_LABEL;

export interface RunOptions {
  out: string;
  resume?: boolean;
  force?: boolean;
  /** With resume: generate again the samples whose generation failed (server down, timeouts). */
  retryErrors?: boolean;
  /** Overrides the config's jobs (also on resume). */
  jobs?: number;
  /** Overrides the config's verifier URLs (also on resume): verify on `serve` replicas. */
  verifier?: string[];
  progress?: StageProgress;
  log?: (line: string) => void;
  /** Aborting stops the run between samples; what is stored stays, and `--resume` continues it. */
  signal?: AbortSignal;
}

/** What a run's samples went through, for the closing summary and the exit status. */
export interface RunCounts {
  planned: number;
  verified: number;
  generation_errors: number;
  unknown_task: number;
  cached: number;
  /** Requests tried again after a server error, a timeout or a network failure (this invocation). */
  retries: number;
  /** Distinct generation error messages, most frequent first. */
  error_messages: { message: string; count: number }[];
}

export interface RunSummary {
  out: string;
  paths: OutputPaths;
  samples: number;
  errored: number;
  resumed: boolean;
  counts: RunCounts;
}

/** One line of results.jsonl: the verifier's result plus what the run knows about the sample. */
export type BenchSampleRecord = SampleResult & {
  /** The exact prompt sent to the model (null for replayed completions). */
  prompt: Prompt | null;
  /** The completion came from the generation cache. */
  cached: boolean;
  /** The reward under every built-in spec (and the run's own), keyed by spec name. */
  rewards: RewardsBySpec;
};

export class RunDirError extends Error {}

/** The run stopped on request (Ctrl-C) before it finished; it resumes with `--resume`. */
export class RunInterrupted extends Error {
  constructor(readonly out: string, readonly counts: RunCounts) {
    super(`run interrupted: ${counts.verified} of ${counts.planned} samples verified`);
  }
}

function prepareOutDir(out: string, opts: RunOptions): void {
  const storePath = join(out, STORE_FILE);
  if (opts.resume) {
    if (!existsSync(storePath)) throw new RunDirError(`nothing to resume: ${storePath} does not exist (run without --resume to start)`);
    return;
  }
  if (opts.retryErrors) throw new RunDirError("--retry-errors goes with --resume (it retries the failed samples of a stored run)");
  if (existsSync(out) && readdirSync(out).length > 0) {
    if (!opts.force) {
      throw new RunDirError(`${out} already holds a run; pass --resume to continue it, or --force to start over (its contents are deleted)`);
    }
    for (const entry of readdirSync(out)) rmSync(join(out, entry), { recursive: true, force: true });
  }
  mkdirSync(out, { recursive: true });
}

export function resolveSpec(reward: BenchConfig["reward"]): RewardSpec {
  return typeof reward === "string" ? getSpec(reward) : parseSpec(reward);
}

async function loadDatasets(config: BenchConfig, issues: RunIssue[]): Promise<LoadedDataset[]> {
  const out: LoadedDataset[] = [];
  const used = new Set<string>();
  for (const entry of config.datasets) {
    const loaded = await loadTasks(entry.path, { ...(entry.kind ? { dataset: entry.kind } : {}), ...(entry.limit ? { limit: entry.limit } : {}) });
    let label = entry.name ?? loaded.dataset;
    for (let i = 2; used.has(label); i++) label = `${entry.name ?? loaded.dataset}-${i}`;
    used.add(label);
    for (const e of loaded.errors) issues.push({ source: `dataset ${label}`, message: `row ${e.index}${e.id ? ` (id ${e.id})` : ""}: ${e.reason}` });
    out.push({ label, tasks: loaded.tasks, byId: new Map(loaded.tasks.map((t) => [t.id, t])) });
  }
  return out;
}

async function plan(config: BenchConfig, datasets: LoadedDataset[], issues: RunIssue[]): Promise<PlannedSample[]> {
  const planned: PlannedSample[] = [];
  const known = new Set(datasets.flatMap((d) => d.tasks.map((t) => t.id)));
  for (const [i, entry] of config.models.entries()) {
    const model = modelLabel(entry, i);
    if (entry.backend === "replay") {
      const samplesPath = String((entry as Record<string, unknown>).samples);
      const file = await readSamplesFile(samplesPath);
      for (const e of file.errors) issues.push({ source: `samples ${model}`, message: `line ${e.line}: ${e.reason}` });
      let withoutSamples = 0;
      for (const d of datasets) {
        for (const t of d.tasks) {
          const n = config.n ?? file.samples.get(t.id)?.length ?? 0;
          if (n === 0) withoutSamples++;
          for (let k = 0; k < n; k++) planned.push({ model, dataset: d.label, task_id: t.id, sample_index: k });
        }
      }
      if (withoutSamples > 0) issues.push({ source: `samples ${model}`, message: `${withoutSamples} task(s) have no samples in ${samplesPath} and were not evaluated` });
      for (const [taskId, samples] of file.samples) {
        if (known.has(taskId)) continue;
        samples.forEach((s, k) =>
          planned.push({
            model,
            dataset: UNKNOWN_DATASET,
            task_id: taskId,
            sample_index: k,
            error: { status: "unknown_task", message: `unknown task id ${JSON.stringify(taskId)} (samples file line ${s.line}): no loaded dataset has it`, completion: s.completion },
          }),
        );
      }
    } else {
      for (const d of datasets) for (const t of d.tasks) for (let k = 0; k < (config.n ?? 1); k++) planned.push({ model, dataset: d.label, task_id: t.id, sample_index: k });
    }
  }
  return planned;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Completions waiting for verification, fed by generation as they arrive. */
class SampleQueue {
  private readonly items: StoredSample[] = [];
  private readonly waiters: ((s: StoredSample | undefined) => void)[] = [];
  private closed = false;

  push(s: StoredSample): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(s);
    else this.items.push(s);
  }

  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  next(): Promise<StoredSample | undefined> {
    if (this.items.length > 0) return Promise.resolve(this.items.shift());
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The samples as they come, until the queue is closed and empty. */
  async *[Symbol.asyncIterator](): AsyncGenerator<StoredSample> {
    for (let s = await this.next(); s !== undefined; s = await this.next()) yield s;
  }
}

function parsePrompt(text: string | null): Prompt | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as Prompt;
  } catch {
    return null;
  }
}

/**
 * Verified results on their way to the store, committed together at most GROUP_COMMIT_MS after the
 * first of them (or GROUP_COMMIT_MAX at once): a commit is an fsync, 3-4 ms with the thread that
 * feeds the sandboxes blocked, and one per sample would idle them. A result still buffered when
 * the process is killed was never committed, so its sample is still "generated" and --resume
 * verifies it again, as it would a sample killed mid-judging.
 */
const GROUP_COMMIT_MS = 100;
const GROUP_COMMIT_MAX = 64;

class ResultWriter {
  private pending: { seq: number; result: SampleResult }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private failure: unknown;

  constructor(private readonly store: RunStore) {}

  add(seq: number, result: SampleResult): void {
    if (this.failure !== undefined) throw this.failure;
    this.pending.push({ seq, result });
    if (this.pending.length >= GROUP_COMMIT_MAX) this.commit();
    else this.timer ??= setTimeout(() => this.commitLater(), GROUP_COMMIT_MS);
  }

  /** Commit what is buffered now; throws a failure of this or an earlier commit. */
  flush(): void {
    this.commit();
    if (this.failure !== undefined) throw this.failure;
  }

  private commitLater(): void {
    try {
      this.commit();
    } catch (err) {
      // Thrown from a timer it would end the process; the next add or flush reports it instead.
      this.failure ??= err;
    }
  }

  private commit(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.store.saveResults(batch);
  }
}

interface VerifyContext {
  results: ResultWriter;
  datasets: LoadedDataset[];
  verifier: SampleVerifier;
  spec: RewardSpec;
  analyzers: RunSettings["analyzers"];
  progress: StageProgress;
  signal?: AbortSignal;
}

async function verifyWorkers(ctx: VerifyContext, queue: SampleQueue, width: number): Promise<void> {
  const byLabel = new Map(ctx.datasets.map((d) => [d.label, d]));
  await forEachBounded(queue, width, async (s) => {
    const task = byLabel.get(s.dataset)?.byId.get(s.task_id);
    let result: SampleResult;
    if (!task) {
      result = failedSample({ ...s, completion: s.completion }, "unknown_task", `task ${s.task_id} is no longer in dataset ${s.dataset}`);
    } else {
      try {
        result = await ctx.verifier.verify(task, s.completion ?? "", { sampleIndex: s.sample_index, model: s.model, dataset: s.dataset });
      } catch (err) {
        result = failedSample({ ...s, task, completion: s.completion }, "evaluation_error", `evaluation failed: ${message(err)}`);
      }
    }
    // Ctrl-C reaches the sandboxed programs too: a verdict finished after it may be one of
    // their deaths, so it is not stored; the sample stays generated and --resume verifies it.
    if (ctx.signal?.aborted) return;
    const record: BenchSampleRecord = {
      ...result,
      prompt: parsePrompt(s.prompt),
      cached: s.cached === 1,
      rewards: task ? rewardsUnderEverySpec(result, task, ctx.spec, ctx.analyzers as SampleResult["findings"][number]["analyzer"][]) : {},
    };
    ctx.results.add(s.seq, record);
    ctx.progress.tick("verify", { error: result.status !== "ok", cached: s.cached === 1 });
  }, ctx.signal ? { signal: ctx.signal } : {});
}

function recordErrorResults(store: RunStore, datasets: LoadedDataset[]): void {
  const byLabel = new Map(datasets.map((d) => [d.label, d]));
  for (const s of store.errorsWithoutResult()) {
    const task = byLabel.get(s.dataset)?.byId.get(s.task_id);
    const base = { task_id: s.task_id, sample_index: s.sample_index, model: s.model, dataset: s.dataset, completion: s.completion, ...(task ? { task } : {}) };
    const result = failedSample(base, task ? "generation_error" : "unknown_task", s.gen_error ?? "unknown error");
    const record: BenchSampleRecord = { ...result, prompt: parsePrompt(s.prompt), cached: false, rewards: {} };
    store.saveErrorResult(s.seq, record);
  }
}

function runCounts(store: RunStore, retries: number): RunCounts {
  const c = store.counts();
  const errors = store.generationErrors();
  const byMessage = new Map<string, number>();
  for (const e of errors) byMessage.set(e.gen_error, (byMessage.get(e.gen_error) ?? 0) + 1);
  const unknown = c.error - errors.length;
  return {
    planned: c.planned + c.generated + c.verified + c.error,
    verified: c.verified,
    generation_errors: errors.length,
    unknown_task: unknown,
    cached: store.cachedCount(),
    retries,
    error_messages: [...byMessage].map(([m, count]) => ({ message: m, count })).sort((a, b) => b.count - a.count),
  };
}

/** Retry lines, at most one every two seconds: a dead server must not flood the terminal. */
function retryReporter(progress: StageProgress): { report(model: string, e: RetryEvent): void; count(): number } {
  let total = 0;
  let quiet = 0;
  let last = 0;
  return {
    report(model, e) {
      total++;
      const now = Date.now();
      if (now - last < 2000) {
        quiet++;
        return;
      }
      const more = quiet > 0 ? ` (+${quiet} more retries)` : "";
      progress.note(`generate: ${model}, task ${e.taskId}: ${e.message}; retry ${e.attempt}/${e.maxRetries} in ${(e.delayMs / 1000).toFixed(1)} s${more}`);
      quiet = 0;
      last = now;
    },
    count: () => total,
  };
}

export async function runBench(rawConfig: unknown, opts: RunOptions): Promise<RunSummary> {
  const out = resolve(opts.out);
  prepareOutDir(out, opts);
  const store = new RunStore(join(out, STORE_FILE));
  const progress = opts.progress ?? createProgress();
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  try {
    const resumed = store.isPlanned();
    let config: BenchConfig;
    if (resumed) {
      config = parseBenchConfig(JSON.parse(store.getMeta("config") ?? "{}"), "stored run config");
      const c = store.counts();
      log(`resuming run in ${out}: ${c.verified} verified, ${c.error} errors, ${c.generated} generated, ${c.planned} still to generate`);
      if (opts.retryErrors) {
        const n = store.resetGenerationErrors();
        log(n > 0 ? `retrying ${n} sample(s) whose generation failed` : "no generation errors to retry");
      }
    } else {
      config = parseBenchConfig(rawConfig);
      store.setMeta("config", JSON.stringify(config));
    }
    const spec = resolveSpec(config.reward);
    const issues: RunIssue[] = [];
    const datasets = await loadDatasets(config, issues);
    const allTasks = datasets.flatMap((d) => d.tasks);
    const analyzers = analyzersForEverySpec(config.analyzers, spec, allTasks);
    let settings: RunSettings;
    const stored = store.getMeta("settings");
    if (resumed && stored) settings = JSON.parse(stored) as RunSettings;
    else {
      settings = runSettings(config, spec, analyzers, readPromptTemplates(config));
      store.setMeta("settings", JSON.stringify(settings));
    }
    if (!resumed) {
      const planned = await plan(config, datasets, issues);
      store.writePlan(planned, issues);
      log(`planned ${planned.length} samples over ${allTasks.length} tasks and ${config.models.length} model(s)`);
    }
    const jobs = opts.jobs ?? config.jobs ?? undefined;
    const limits = { ...(config.timeout_ms ? { timeoutMs: config.timeout_ms } : {}), ...(config.memory_mb ? { memoryMb: config.memory_mb } : {}) };
    const remoteUrls = opts.verifier ?? config.verifier;
    let verifier: SampleVerifier;
    let width: number;
    if (remoteUrls) {
      const remote = new RemoteVerifier(remoteUrls, spec, {
        judgeMode: config.judge,
        limits,
        analyzers,
        ...(process.env.SECURECODERL_TOKEN ? { token: process.env.SECURECODERL_TOKEN } : {}),
        log,
      });
      log(`verifying on ${remote.urls.join(", ")}`);
      verifier = remote;
      width = remote.jobs;
    } else {
      const local = new Verifier({ spec, tasks: allTasks, analyzers, ...(jobs ? { jobs } : {}), judgeMode: config.judge, limits });
      verifier = local;
      // Enough samples in flight that a sandbox worker never waits for the next job.
      width = Math.max(2, local.jobs * SAMPLES_IN_FLIGHT_PER_WORKER);
    }
    const templates = Object.fromEntries(Object.entries(settings.prompt_templates).map(([k, v]) => [k, v.text])) as Partial<Record<PromptStyle, string>>;
    const retries = retryReporter(progress);
    const queue = new SampleQueue();
    const writer = new ResultWriter(store);
    try {
      // Samples generated before an interruption are verified first, beside the new ones.
      const waiting = store.samplesIn("generated");
      for (const s of waiting) queue.push(s);
      const c = store.counts();
      let verifyTotal = c.verified + c.generated + c.planned;
      progress.start("verify", verifyTotal, c.verified);
      const generating = generateStage({
        store,
        config,
        datasets,
        templates,
        progress: {
          ...progress,
          tick(stage, outcome) {
            progress.tick(stage, outcome);
            if (outcome?.error) progress.retotal("verify", --verifyTotal);
          },
        },
        onGenerated: (s) => queue.push(s),
        onRetry: (model, e) => retries.report(model, e),
        ...(opts.signal ? { signal: opts.signal } : {}),
      }).finally(() => queue.close());
      await Promise.all([generating, verifyWorkers({ results: writer, datasets, verifier, spec, analyzers, progress, ...(opts.signal ? { signal: opts.signal } : {}) }, queue, width)]);
      writer.flush();
    } finally {
      queue.close();
      await verifier.close();
      progress.stop();
      // Results verified before an interruption or an error are kept (a failing commit has
      // already been reported, or is now).
      writer.flush();
    }
    if (opts.signal?.aborted) throw new RunInterrupted(out, runCounts(store, retries.count()));
    recordErrorResults(store, datasets);
    const results = store.results();
    const counts = runCounts(store, retries.count());
    // The report shows failing tests' inputs, which only the loaded tasks hold.
    const byLabel = new Map(datasets.map((d) => [d.label, d]));
    const tasks = (r: SampleResult) => byLabel.get(r.dataset)?.byId.get(r.task_id);
    const paths = await renderOutputs(out, results, { config, spec, analyzers, issues: store.issues(), settings, counts }, { tasks });
    store.setMeta("finished", "1");
    return { out, paths, samples: results.length, errored: results.filter((r) => r.status !== "ok").length, resumed, counts };
  } finally {
    store.close();
  }
}
