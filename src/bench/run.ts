import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildPrompt, createPolicy, readSamplesFile, ReplayPolicy, type GenerationRequest, type Policy } from "../policy/index.js";
import { getSpec, parseSpec, type RewardSpec } from "../reward/index.js";
import { loadTasks } from "../task/index.js";
import type { Task } from "../task/schema.js";
import { modelLabel, parseBenchConfig, type BenchConfig, type ModelEntry } from "./config.js";
import { analyzersToRun, failedSample, RemoteVerifier, Verifier, type SampleVerifier } from "../verify/index.js";
import { renderOutputs, type OutputPaths } from "./outputs.js";
import { createProgress, type StageProgress } from "./progress.js";
import { RunStore, type PlannedSample, type RunIssue, type StoredSample } from "./store.js";

/**
 * A bench run: plan (tasks x models x samples) -> generate -> verify -> render. The plan and every
 * finished sample live in DIR/run.sqlite; outputs are rendered from the store at the end, so a
 * resumed run writes the same results.jsonl as one that was never interrupted.
 */

export const STORE_FILE = "run.sqlite";
/** Label for samples whose task id is in no loaded dataset. */
export const UNKNOWN_DATASET = "(unknown)";

export interface RunOptions {
  out: string;
  resume?: boolean;
  force?: boolean;
  /** Overrides the config's jobs (also on resume). */
  jobs?: number;
  /** Overrides the config's verifier URLs (also on resume): verify on `serve` replicas. */
  verifier?: string[];
  progress?: StageProgress;
  log?: (line: string) => void;
}

export interface RunSummary {
  out: string;
  paths: OutputPaths;
  samples: number;
  errored: number;
  resumed: boolean;
}

export class RunDirError extends Error {}

interface LoadedDataset {
  label: string;
  tasks: Task[];
  byId: Map<string, Task>;
}

function prepareOutDir(out: string, opts: RunOptions): void {
  const storePath = join(out, STORE_FILE);
  if (opts.resume) {
    if (!existsSync(storePath)) throw new RunDirError(`nothing to resume: ${storePath} does not exist (run without --resume to start)`);
    return;
  }
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

function policyConfig(entry: ModelEntry): Record<string, unknown> {
  const { name: _name, api_key_env, ...rest } = entry as Record<string, unknown> & ModelEntry;
  if (typeof api_key_env === "string") {
    const key = process.env[api_key_env];
    if (key !== undefined) rest.api_key = key;
  }
  return rest;
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

async function openPolicy(entry: ModelEntry, config: BenchConfig): Promise<Policy> {
  if (entry.backend === "replay") {
    const path = String((entry as Record<string, unknown>).samples);
    return new ReplayPolicy(await readSamplesFile(path), path);
  }
  return createPolicy(policyConfig(entry));
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function generateStage(store: RunStore, config: BenchConfig, datasets: LoadedDataset[], progress: StageProgress): Promise<void> {
  const pending = store.samplesIn("planned");
  const counts = store.counts();
  const total = pending.length + counts.generated + counts.verified + counts.error;
  progress.start("generate", total, total - pending.length);
  if (pending.length === 0) return;
  const byModel = new Map<string, StoredSample[]>();
  for (const s of pending) (byModel.get(s.model) ?? byModel.set(s.model, []).get(s.model)!).push(s);
  for (const [i, entry] of config.models.entries()) {
    const model = modelLabel(entry, i);
    const samples = byModel.get(model);
    if (!samples) continue;
    let policy: Policy | undefined;
    try {
      policy = await openPolicy(entry, config);
    } catch (err) {
      for (const s of samples) {
        store.saveGeneration(s.seq, { error: `cannot start model ${model}: ${message(err)}` });
        progress.tick(1);
      }
      continue;
    }
    try {
      for (const d of datasets) {
        const mine = samples.filter((s) => s.dataset === d.label);
        if (mine.length === 0) continue;
        // Requests ask for every index up to the largest missing one, so seeds line up with a fresh run; only missing ones are stored.
        const wanted = new Map<string, Map<number, StoredSample>>();
        for (const s of mine) (wanted.get(s.task_id) ?? wanted.set(s.task_id, new Map()).get(s.task_id)!).set(s.sample_index, s);
        const requests: GenerationRequest[] = [];
        for (const [taskId, indices] of wanted) {
          const task = d.byId.get(taskId);
          const n = Math.max(...indices.keys()) + 1;
          const prompt = entry.backend === "replay" || !task ? "" : buildPrompt(task, { format: config.prompt_format });
          requests.push({
            taskId,
            prompt,
            n,
            params: {
              ...(config.temperature !== undefined ? { temperature: config.temperature } : {}),
              ...(config.seed !== undefined ? { seed: config.seed } : {}),
              ...(config.max_tokens !== undefined ? { max_tokens: config.max_tokens } : {}),
            },
          });
        }
        try {
          for await (const r of policy.generate(requests)) {
            const s = wanted.get(r.taskId)?.get(r.sampleIndex);
            if (!s) continue;
            wanted.get(r.taskId)!.delete(r.sampleIndex);
            store.saveGeneration(s.seq, r.completion !== undefined ? { completion: r.completion } : { error: r.error ?? "backend returned neither a completion nor an error" });
            progress.tick(r.completion !== undefined ? 0 : 1);
          }
        } catch (err) {
          for (const indices of wanted.values()) for (const s of indices.values()) {
            store.saveGeneration(s.seq, { error: `generation failed: ${message(err)}` });
            progress.tick(1);
          }
          continue;
        }
        for (const indices of wanted.values()) for (const s of indices.values()) {
          store.saveGeneration(s.seq, { error: "the backend returned no result for this sample" });
          progress.tick(1);
        }
      }
    } finally {
      await policy.close?.().catch(() => undefined);
    }
  }
}

async function verifyStage(store: RunStore, datasets: LoadedDataset[], verifier: SampleVerifier, inFlight: number, progress: StageProgress): Promise<void> {
  const pending = store.samplesIn("generated");
  const counts = store.counts();
  const finished = counts.verified;
  progress.start("verify", finished + pending.length, finished);
  const byLabel = new Map(datasets.map((d) => [d.label, d]));
  let next = 0;
  const worker = async () => {
    while (next < pending.length) {
      const s = pending[next++]!;
      const task = byLabel.get(s.dataset)?.byId.get(s.task_id);
      let result;
      if (!task) {
        result = failedSample({ ...s, completion: s.completion }, "unknown_task", `task ${s.task_id} is no longer in dataset ${s.dataset}`);
      } else {
        try {
          result = await verifier.verify(task, s.completion ?? "", { sampleIndex: s.sample_index, model: s.model, dataset: s.dataset });
        } catch (err) {
          result = failedSample({ ...s, task, completion: s.completion }, "evaluation_error", `evaluation failed: ${message(err)}`);
        }
      }
      store.saveResult(s.seq, result);
      progress.tick(result.status === "ok" ? 0 : 1);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, pending.length) }, worker));
}

function recordErrorResults(store: RunStore, datasets: LoadedDataset[]): void {
  const byLabel = new Map(datasets.map((d) => [d.label, d]));
  for (const s of store.errorsWithoutResult()) {
    const task = byLabel.get(s.dataset)?.byId.get(s.task_id);
    const base = { task_id: s.task_id, sample_index: s.sample_index, model: s.model, dataset: s.dataset, completion: s.completion, ...(task ? { task } : {}) };
    store.saveErrorResult(s.seq, failedSample(base, task ? "generation_error" : "unknown_task", s.gen_error ?? "unknown error"));
  }
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
    } else {
      config = parseBenchConfig(rawConfig);
      store.setMeta("config", JSON.stringify(config));
    }
    const spec = resolveSpec(config.reward);
    const issues: RunIssue[] = [];
    const datasets = await loadDatasets(config, issues);
    if (!resumed) {
      const planned = await plan(config, datasets, issues);
      store.writePlan(planned, issues);
      log(`planned ${planned.length} samples over ${datasets.reduce((a, d) => a + d.tasks.length, 0)} tasks and ${config.models.length} model(s)`);
    }
    const jobs = opts.jobs ?? config.jobs ?? undefined;
    const allTasks = datasets.flatMap((d) => d.tasks);
    await generateStage(store, config, datasets, progress);
    const limits = { ...(config.timeout_ms ? { timeoutMs: config.timeout_ms } : {}), ...(config.memory_mb ? { memoryMb: config.memory_mb } : {}) };
    const remoteUrls = opts.verifier ?? config.verifier;
    let verifier: SampleVerifier;
    let width: number;
    if (remoteUrls) {
      const remote = new RemoteVerifier(remoteUrls, spec, {
        judgeMode: config.judge,
        limits,
        ...(config.analyzers ? { analyzers: config.analyzers } : {}),
        ...(process.env.SECURECODERL_TOKEN ? { token: process.env.SECURECODERL_TOKEN } : {}),
        log,
      });
      log(`verifying on ${remote.urls.join(", ")}`);
      verifier = remote;
      width = remote.jobs;
    } else {
      const local = new Verifier({ spec, tasks: allTasks, ...(config.analyzers ? { analyzers: config.analyzers } : {}), ...(jobs ? { jobs } : {}), judgeMode: config.judge, limits });
      verifier = local;
      // Enough samples in flight to keep every sandbox worker busy while the main thread analyzes.
      width = Math.max(2, local.jobs * 2);
    }
    const analyzers = analyzersToRun(config.analyzers, spec, allTasks);
    try {
      await verifyStage(store, datasets, verifier, width, progress);
    } finally {
      await verifier.close();
      progress.stop();
    }
    recordErrorResults(store, datasets);
    const results = store.results();
    const paths = await renderOutputs(out, results, { config, spec, analyzers, issues: store.issues() });
    store.setMeta("finished", "1");
    return { out, paths, samples: results.length, errored: results.filter((r) => r.status !== "ok").length, resumed };
  } finally {
    store.close();
  }
}
