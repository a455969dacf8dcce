import { existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { createHash } from "node:crypto";
import type { Gpt } from "../model/gpt.js";
import type { Tokenizer } from "../model/tokenizer.js";
import type { ChatMessage, GenerationParams, GenerationRequest, GenerationResult, Policy, Prompt, ProgressFn } from "./types.js";

/**
 * A model trained in-process (`securecoderl train`), sampled in-process, so a trained policy goes
 * through exactly the benchmark every other backend does. The tensor library is loaded on first
 * use only: listing or configuring policies never pays for it.
 */
export interface LocalPolicyOptions {
  /** A checkpoint folder, or a run folder (its best model, DIR/model, else its latest DIR/checkpoint). */
  path: string;
  defaults?: GenerationParams;
}

/** Default number of new tokens when the request gives none: what fits after a short prompt. */
const DEFAULT_MAX_TOKENS = 256;

export function resolveCheckpointDir(path: string): string {
  const dir = resolve(path);
  for (const candidate of [join(dir, "model"), join(dir, "checkpoint"), dir]) if (existsSync(join(candidate, "config.json")) && existsSync(join(candidate, "weights.bin"))) return candidate;
  throw new Error(`${path}: no checkpoint (config.json + weights.bin) in it, nor in its model/ or checkpoint/ folder`);
}

/**
 * The text a small local model continues. It has no chat template: a chat prompt becomes its
 * non-system messages, blank-line separated (the system message is boilerplate it was not trained on).
 */
export function promptText(prompt: Prompt): string {
  if (typeof prompt === "string") return prompt;
  return (prompt as ChatMessage[])
    .filter((m) => m.role !== "system")
    .map((m) => m.content)
    .join("\n\n");
}

export class LocalPolicy implements Policy {
  readonly name: string;
  private loaded?: Promise<{ model: Gpt; tokenizer: Tokenizer; generate: typeof import("../model/generate.js").generate; seededRandom: typeof import("../model/random.js").seededRandom }>;

  constructor(private readonly options: LocalPolicyOptions) {
    if (!options.path) throw new Error("local backend: path (a checkpoint or run folder) is required");
    this.name = `local:${basename(resolve(options.path))}`;
  }

  private load() {
    this.loaded ??= (async () => {
      const dir = resolveCheckpointDir(this.options.path);
      const { initTensorBackend } = await import("../model/tensor.js");
      await initTensorBackend();
      const { loadCheckpoint } = await import("../model/checkpoint.js");
      const { generate } = await import("../model/generate.js");
      const { seededRandom } = await import("../model/random.js");
      const { model, tokenizer } = await loadCheckpoint(dir);
      return { model, tokenizer, generate, seededRandom };
    })();
    return this.loaded;
  }

  async *generate(requests: readonly GenerationRequest[], onProgress?: ProgressFn): AsyncIterable<GenerationResult> {
    const progress = { done: 0, total: requests.reduce((s, r) => s + Math.max(0, r.n), 0), errors: 0, cached: 0 };
    for (const request of requests) {
      if (!Number.isInteger(request.n) || request.n < 0) throw new Error(`task ${request.taskId}: sample count must be a non-negative integer, got ${request.n}`);
      if (request.n === 0) continue;
      const started = performance.now();
      let outcomes: { completion?: string; error?: string; finish?: string }[];
      try {
        outcomes = await this.sample(request);
      } catch (error) {
        outcomes = Array.from({ length: request.n }, () => ({ error: (error as Error).message }));
      }
      const latencyMs = Math.round((performance.now() - started) / request.n);
      for (const [i, o] of outcomes.entries()) {
        progress.done++;
        if (o.error) progress.errors++;
        onProgress?.({ ...progress });
        yield {
          taskId: request.taskId,
          sampleIndex: i,
          ...(o.error !== undefined ? { error: o.error } : { completion: o.completion! }),
          model: this.name,
          cached: false,
          latencyMs,
          ...(o.finish ? { finishReason: o.finish } : {}),
        };
      }
    }
  }

  /** All n samples of a request in one batch; the seed (default 0) and task id fix the draws. */
  private async sample(request: GenerationRequest): Promise<{ completion: string; finish: string }[]> {
    const { model, tokenizer, generate, seededRandom } = await this.load();
    const params: GenerationParams = { ...this.options.defaults, ...request.params };
    const topK = typeof params.extra?.top_k === "number" ? params.extra.top_k : 0;
    const stop = params.stop ?? [];
    const seed = createHash("sha256").update(`${params.seed ?? 0}:${request.taskId}`).digest().readUInt32BE(0);
    const promptIds = tokenizer.encode(promptText(request.prompt));
    const generations = generate(model, tokenizer, Array.from({ length: request.n }, () => promptIds), {
      maxNewTokens: params.max_tokens ?? DEFAULT_MAX_TOKENS,
      sampling: { temperature: params.temperature ?? 1, topP: params.top_p ?? 1, topK },
      stop,
      random: seededRandom(seed),
    });
    // As OpenAI-compatible servers do, the stop sequence itself is not part of the completion.
    return generations.map((g) => {
      const hit = g.finish === "stop" ? stop.find((s) => s && g.text.endsWith(s)) : undefined;
      return { completion: hit ? g.text.slice(0, -hit.length) : g.text, finish: g.finish === "eos" ? "stop" : g.finish };
    });
  }

  async close(): Promise<void> {
    if (!this.loaded) return;
    const state = await this.loaded.catch(() => undefined);
    state?.model.dispose();
  }
}
