import { availableParallelism } from "node:os";
import { basename } from "node:path";
import { GenerationCache, sampleKey } from "./cache.js";
import { assertSampleCounts } from "./openai.js";
import type { ChatMessage, GenerationParams, GenerationRequest, GenerationResult, Policy, ProgressFn } from "./types.js";

/**
 * Local GGUF models through node-llama-cpp, an optional package: it is loaded only when this
 * backend is used, so the toolkit installs and runs without it. Samples are generated one at a
 * time on one context (llama.cpp batches internally; a small machine has no room for two).
 */

export interface LlamaCppOptions {
  /** Path of a .gguf file. */
  modelPath: string;
  /** CPU threads; default 1 on machines with 2 cores or fewer (they are shared), else cores - 1. */
  threads?: number;
  contextSize?: number;
  /** Layers to offload to a GPU ("auto" lets node-llama-cpp decide; 0 keeps everything on CPU). */
  gpuLayers?: number | "auto";
  cacheDir?: string | null;
  defaults?: GenerationParams;
}

/** The slice of node-llama-cpp's API we use (kept narrow, so a missing package is a clear error). */
interface LlamaModule {
  getLlama(options?: { gpu?: false | "auto" }): Promise<{ loadModel(o: { modelPath: string; gpuLayers?: number | "auto" }): Promise<LlamaModel> }>;
  LlamaChatSession: new (o: { contextSequence: unknown; systemPrompt?: string; autoDisposeSequence?: boolean }) => {
    prompt(text: string, o: LlamaSampling): Promise<string>;
    dispose(): void;
  };
  LlamaCompletion: new (o: { contextSequence: unknown; autoDisposeSequence?: boolean }) => {
    generateCompletion(text: string, o: LlamaSampling): Promise<string>;
    dispose(): void;
  };
}
interface LlamaModel {
  createContext(o: { contextSize?: number; threads?: number }): Promise<{ getSequence(): LlamaSequence; dispose(): Promise<void> }>;
  dispose(): Promise<void>;
}
interface LlamaSequence {
  clearHistory(): Promise<void>;
}
interface LlamaSampling {
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  seed?: number;
  customStopTriggers?: string[];
}

export const LLAMA_CPP_MISSING = "the llamacpp backend needs the optional package node-llama-cpp: run `npm install node-llama-cpp` (Node >= 20)";

async function loadLlamaModule(): Promise<LlamaModule> {
  // A computed specifier keeps TypeScript from requiring the optional package at build time.
  const specifier = "node-llama-cpp";
  try {
    return (await import(specifier)) as LlamaModule;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") throw new Error(LLAMA_CPP_MISSING);
    throw error;
  }
}

export function defaultThreads(cores = availableParallelism()): number {
  return cores <= 2 ? 1 : cores - 1;
}

export class LlamaCppPolicy implements Policy {
  readonly name: string;
  private readonly cache: GenerationCache | undefined;
  private state?: Promise<{ module: LlamaModule; model: LlamaModel; context: Awaited<ReturnType<LlamaModel["createContext"]>>; sequence: LlamaSequence }>;

  constructor(private readonly options: LlamaCppOptions) {
    if (!options.modelPath) throw new Error("llamacpp backend: modelPath (a .gguf file) is required");
    this.name = `llamacpp:${basename(options.modelPath)}`;
    this.cache = options.cacheDir === null ? undefined : new GenerationCache(options.cacheDir);
  }

  private load() {
    this.state ??= (async () => {
      const module = await loadLlamaModule();
      const llama = await module.getLlama(this.options.gpuLayers === 0 ? { gpu: false } : undefined);
      const model = await llama.loadModel({ modelPath: this.options.modelPath, ...(this.options.gpuLayers !== undefined ? { gpuLayers: this.options.gpuLayers } : {}) });
      const context = await model.createContext({
        threads: this.options.threads ?? defaultThreads(),
        ...(this.options.contextSize ? { contextSize: this.options.contextSize } : {}),
      });
      return { module, model, context, sequence: context.getSequence() };
    })();
    return this.state;
  }

  async *generate(requests: readonly GenerationRequest[], onProgress?: ProgressFn): AsyncIterable<GenerationResult> {
    assertSampleCounts(requests);
    const progress = { done: 0, total: requests.reduce((s, r) => s + Math.max(0, r.n), 0), errors: 0, cached: 0 };
    const report = (r: GenerationResult) => {
      progress.done++;
      if (r.error) progress.errors++;
      if (r.cached) progress.cached++;
      onProgress?.({ ...progress });
      return r;
    };
    for (const request of requests) {
      const params: GenerationParams = { ...this.options.defaults, ...request.params };
      for (let i = 0; i < request.n; i++) {
        const key = sampleKey({ backend: "llamacpp", model: this.options.modelPath, prompt: request.prompt, params, sampleIndex: i });
        const hit = this.cache?.get(key);
        if (hit) {
          yield report({ taskId: request.taskId, sampleIndex: i, completion: hit.completion, model: hit.model, cached: true, latencyMs: 0 });
          continue;
        }
        const started = performance.now();
        try {
          const completion = await this.sample(request, params, i);
          this.cache?.put(key, { completion, model: this.name });
          yield report({ taskId: request.taskId, sampleIndex: i, completion, model: this.name, cached: false, latencyMs: Math.round(performance.now() - started) });
        } catch (error) {
          const message = (error as Error).message;
          yield report({ taskId: request.taskId, sampleIndex: i, error: message, model: this.name, cached: false, latencyMs: Math.round(performance.now() - started) });
          // Without the package or the model file nothing can succeed: fail the rest fast.
          if (message === LLAMA_CPP_MISSING || /no such file|ENOENT/i.test(message)) {
            for (const rest of requests.slice(requests.indexOf(request))) {
              for (let j = rest === request ? i + 1 : 0; j < rest.n; j++) {
                yield report({ taskId: rest.taskId, sampleIndex: j, error: message, model: this.name, cached: false, latencyMs: 0 });
              }
            }
            return;
          }
        }
      }
    }
  }

  private async sample(request: GenerationRequest, params: GenerationParams, index: number): Promise<string> {
    const { module, sequence } = await this.load();
    await sequence.clearHistory();
    const sampling: LlamaSampling = {
      ...(params.temperature !== undefined ? { temperature: params.temperature } : {}),
      ...(params.top_p !== undefined ? { topP: params.top_p } : {}),
      ...(params.max_tokens !== undefined ? { maxTokens: params.max_tokens } : {}),
      ...(params.seed !== undefined ? { seed: params.seed + index } : {}),
      ...(params.stop?.length ? { customStopTriggers: params.stop } : {}),
    };
    if (typeof request.prompt === "string") {
      const completion = new module.LlamaCompletion({ contextSequence: sequence, autoDisposeSequence: false });
      try {
        return await completion.generateCompletion(request.prompt, sampling);
      } finally {
        completion.dispose();
      }
    }
    const { system, user } = splitChat(request.prompt);
    const session = new module.LlamaChatSession({ contextSequence: sequence, autoDisposeSequence: false, ...(system ? { systemPrompt: system } : {}) });
    try {
      return await session.prompt(user, sampling);
    } finally {
      session.dispose();
    }
  }

  async close(): Promise<void> {
    this.cache?.close();
    if (this.state) {
      const { model, context } = await this.state.catch(() => ({ model: undefined, context: undefined }));
      await context?.dispose();
      await model?.dispose();
    }
  }
}

/** node-llama-cpp's session takes a system prompt and one user turn; earlier turns are folded in. */
function splitChat(messages: ChatMessage[]): { system?: string; user: string } {
  const system = messages.filter((m) => m.role === "system").map((m) => m.content).join("\n\n");
  const turns = messages.filter((m) => m.role !== "system");
  const user = turns.length <= 1 ? (turns[0]?.content ?? "") : turns.map((m) => `${m.role === "user" ? "User" : "Assistant"}: ${m.content}`).join("\n\n");
  return { ...(system ? { system } : {}), user };
}
