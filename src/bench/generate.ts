import { buildPrompt, createPolicy, readSamplesFile, ReplayPolicy, type GenerationRequest, type Policy, type Prompt, type PromptStyle, type RetryEvent } from "../policy/index.js";
import type { Task } from "../task/schema.js";
import { modelLabel, type BenchConfig, type ModelEntry } from "./config.js";
import type { StageProgress } from "./progress.js";
import type { RunStore, StoredSample } from "./store.js";

/**
 * The generation stage: every planned sample is asked of its model, and each completion is saved
 * and handed on at once (`onGenerated`), so verification of early samples starts while later ones
 * are still generating. Failures are per sample (`error` state), never a thrown run.
 */

export interface LoadedDataset {
  label: string;
  tasks: Task[];
  byId: Map<string, Task>;
}

export interface GenerateContext {
  store: RunStore;
  config: BenchConfig;
  datasets: LoadedDataset[];
  /** Template text per task style (read when the run started). */
  templates: Partial<Record<PromptStyle, string>>;
  progress: StageProgress;
  onGenerated: (sample: StoredSample) => void;
  onRetry: (model: string, event: RetryEvent) => void;
  signal?: AbortSignal;
}

function policyConfig(entry: ModelEntry, config: BenchConfig): Record<string, unknown> {
  const { name: _name, api_key_env, ...rest } = entry as Record<string, unknown> & ModelEntry;
  if (typeof api_key_env === "string") {
    const key = process.env[api_key_env];
    if (key !== undefined) rest.api_key = key;
  }
  if (!config.cache) rest.cache_dir = null;
  return rest;
}

async function openPolicy(entry: ModelEntry, config: BenchConfig, onRetry: (event: RetryEvent) => void): Promise<Policy> {
  if (entry.backend === "replay") {
    const path = String((entry as Record<string, unknown>).samples);
    return new ReplayPolicy(await readSamplesFile(path), path);
  }
  return createPolicy(policyConfig(entry, config), { onRetry });
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function promptFor(task: Task, config: BenchConfig, templates: GenerateContext["templates"]): Prompt {
  return buildPrompt(task, { format: config.prompt_format, ...(config.system_prompt !== undefined ? { system: config.system_prompt } : {}), templates });
}

export async function generateStage(ctx: GenerateContext): Promise<void> {
  const { store, config, datasets, progress } = ctx;
  const pending = store.samplesIn("planned");
  const counts = store.counts();
  const total = pending.length + counts.generated + counts.verified + counts.error;
  progress.start("generate", total, total - pending.length, store.cachedCount());
  if (pending.length === 0) return;
  const byModel = new Map<string, StoredSample[]>();
  for (const s of pending) (byModel.get(s.model) ?? byModel.set(s.model, []).get(s.model)!).push(s);
  const save = (s: StoredSample, outcome: { completion: string; cached: boolean } | { error: string }, prompt: Prompt | undefined) => {
    store.saveGeneration(s.seq, { ...outcome, ...(prompt !== undefined ? { prompt } : {}) });
    progress.tick("generate", { error: "error" in outcome, cached: "cached" in outcome && outcome.cached });
    if ("completion" in outcome) ctx.onGenerated({ ...s, state: "generated", completion: outcome.completion, prompt: prompt === undefined ? null : JSON.stringify(prompt), cached: outcome.cached ? 1 : 0 });
  };
  for (const [i, entry] of config.models.entries()) {
    if (ctx.signal?.aborted) return;
    const model = modelLabel(entry, i);
    const samples = byModel.get(model);
    if (!samples) continue;
    let policy: Policy;
    try {
      policy = await openPolicy(entry, config, (event) => ctx.onRetry(model, event));
    } catch (err) {
      for (const s of samples) save(s, { error: `cannot start model ${model}: ${message(err)}` }, undefined);
      continue;
    }
    try {
      for (const d of datasets) {
        if (ctx.signal?.aborted) return;
        const mine = samples.filter((s) => s.dataset === d.label);
        if (mine.length === 0) continue;
        // Requests ask for every index up to the largest missing one, so seeds line up with a fresh run; only missing ones are stored.
        const wanted = new Map<string, Map<number, StoredSample>>();
        for (const s of mine) (wanted.get(s.task_id) ?? wanted.set(s.task_id, new Map()).get(s.task_id)!).set(s.sample_index, s);
        const prompts = new Map<string, Prompt>();
        const requests: GenerationRequest[] = [];
        for (const [taskId, indices] of wanted) {
          const task = d.byId.get(taskId);
          const n = Math.max(...indices.keys()) + 1;
          const prompt = entry.backend === "replay" || !task ? "" : promptFor(task, config, ctx.templates);
          if (entry.backend !== "replay") prompts.set(taskId, prompt);
          requests.push({
            taskId,
            prompt,
            n,
            params: {
              ...(config.temperature !== undefined ? { temperature: config.temperature } : {}),
              ...(config.top_p !== undefined ? { top_p: config.top_p } : {}),
              ...(config.seed !== undefined ? { seed: config.seed } : {}),
              ...(config.max_tokens !== undefined ? { max_tokens: config.max_tokens } : {}),
            },
          });
        }
        try {
          for await (const r of policy.generate(requests)) {
            // Stop asking on Ctrl-C: what is saved stays, the rest is generated on --resume.
            if (ctx.signal?.aborted) return;
            const s = wanted.get(r.taskId)?.get(r.sampleIndex);
            if (!s) continue;
            wanted.get(r.taskId)!.delete(r.sampleIndex);
            save(s, r.completion !== undefined ? { completion: r.completion, cached: r.cached } : { error: r.error ?? "backend returned neither a completion nor an error" }, prompts.get(r.taskId));
          }
        } catch (err) {
          for (const indices of wanted.values()) for (const s of indices.values()) save(s, { error: `generation failed: ${message(err)}` }, prompts.get(s.task_id));
          continue;
        }
        for (const indices of wanted.values()) for (const s of indices.values()) save(s, { error: "the backend returned no result for this sample" }, prompts.get(s.task_id));
      }
    } finally {
      await policy.close?.().catch(() => undefined);
    }
  }
}
