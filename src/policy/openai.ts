import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import { GenerationCache, sampleKey } from "./cache.js";
import { runConcurrently, sleep } from "./channel.js";
import type { ChatMessage, GenerationParams, GenerationRequest, GenerationResult, Policy, ProgressFn, Prompt, RetryEvent } from "./types.js";

/**
 * Any OpenAI-compatible server (vLLM, SGLang, llama.cpp server, Ollama, OpenAI itself), through
 * the official `openai` client with its own retries switched off: retry policy, per-sample
 * errors and caching are ours, so they behave the same for every server.
 */

export interface OpenAICompatibleOptions {
  /** e.g. http://127.0.0.1:8000/v1 */
  baseUrl: string;
  model: string;
  /** Local servers ignore it; the client requires one, so a placeholder is sent by default. */
  apiKey?: string;
  /**
   * "chat" (/chat/completions) or "completions" (/completions). "auto": chat for message-list
   * prompts, completions for string prompts.
   */
  api?: "chat" | "completions" | "auto";
  /** HTTP requests in flight at once. */
  concurrency?: number;
  /** Per-request time limit. */
  timeoutMs?: number;
  retry?: { maxRetries?: number; baseDelayMs?: number; maxDelayMs?: number };
  /**
   * Samples asked for in one request (the `n` field). Servers that do not support n > 1
   * (llama.cpp's server, Ollama) return one choice: the rest are then requested again.
   */
  samplesPerRequest?: number;
  /** Directory of the on-disk cache; null turns caching off. */
  cacheDir?: string | null;
  /** Parameters used where a request does not set them. */
  defaults?: GenerationParams;
  /** For tests and proxies: the fetch the client uses. */
  fetch?: typeof fetch;
  /** Called before each retry, so a long wait on a failing server is visible. */
  onRetry?: (event: RetryEvent) => void;
}

const RETRY_DEFAULTS = { maxRetries: 4, baseDelayMs: 500, maxDelayMs: 20_000 };

interface Choice {
  text: string;
  finishReason?: string;
}

class RequestFailure extends Error {
  constructor(message: string, readonly retryable: boolean, readonly retryAfterMs?: number) {
    super(message);
  }
}

export class OpenAICompatiblePolicy implements Policy {
  readonly name: string;
  private readonly client: OpenAI;
  private readonly cache: GenerationCache | undefined;
  private readonly retry: typeof RETRY_DEFAULTS;

  constructor(private readonly options: OpenAICompatibleOptions) {
    if (!options.baseUrl) throw new Error("openai backend: baseUrl is required (e.g. http://127.0.0.1:8000/v1)");
    if (!options.model) throw new Error("openai backend: model is required");
    this.name = `openai:${options.model}`;
    this.client = new OpenAI({
      baseURL: options.baseUrl,
      apiKey: options.apiKey ?? process.env.OPENAI_API_KEY ?? "sk-no-key",
      maxRetries: 0,
      timeout: options.timeoutMs ?? 120_000,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    this.cache = options.cacheDir === null ? undefined : new GenerationCache(options.cacheDir);
    this.retry = { ...RETRY_DEFAULTS, ...options.retry };
  }

  generate(requests: readonly GenerationRequest[], onProgress?: ProgressFn): AsyncIterable<GenerationResult> {
    assertSampleCounts(requests);
    const total = requests.reduce((sum, r) => sum + Math.max(0, r.n), 0);
    const perRequest = Math.max(1, this.options.samplesPerRequest ?? Number.POSITIVE_INFINITY);
    const jobs: ((emit: (r: GenerationResult) => void) => Promise<void>)[] = [];
    for (const request of requests) {
      // One job per chunk of samples, so the concurrency limit counts HTTP requests.
      for (let first = 0; first < request.n; first += perRequest) {
        const count = Math.min(perRequest, request.n - first);
        jobs.push((emit) => this.generateChunk(request, first, count, emit));
      }
    }
    return runConcurrently(jobs, this.options.concurrency ?? 4, total, onProgress);
  }

  async close(): Promise<void> {
    this.cache?.close();
  }

  private apiFor(prompt: Prompt): "chat" | "completions" {
    const api = this.options.api ?? "auto";
    if (api !== "auto") return api;
    return typeof prompt === "string" ? "completions" : "chat";
  }

  /** Samples [first, first + count) of one request: cached ones first, then the server. */
  private async generateChunk(request: GenerationRequest, first: number, count: number, emit: (r: GenerationResult) => void): Promise<void> {
    const params: GenerationParams = { ...this.options.defaults, ...request.params };
    const api = this.apiFor(request.prompt);
    const keyFor = (sampleIndex: number) => sampleKey({ backend: `openai-${api}`, model: this.options.model, prompt: request.prompt, params, sampleIndex });
    const missing: number[] = [];
    for (let i = first; i < first + count; i++) {
      const hit = this.cache?.get(keyFor(i));
      if (hit) emit({ taskId: request.taskId, sampleIndex: i, completion: hit.completion, model: hit.model, cached: true, latencyMs: 0, ...(hit.finishReason ? { finishReason: hit.finishReason } : {}) });
      else missing.push(i);
    }
    while (missing.length > 0) {
      const started = performance.now();
      const seed = params.seed === undefined ? undefined : params.seed + missing[0]!;
      let choices: Choice[];
      let model: string;
      try {
        ({ choices, model } = await this.requestWithRetries(api, request, { ...params, ...(seed === undefined ? {} : { seed }) }, missing.length));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        for (const i of missing.splice(0)) emit(this.failure(request, i, message, performance.now() - started));
        return;
      }
      const latencyMs = Math.round(performance.now() - started);
      if (choices.length === 0) {
        for (const i of missing.splice(0)) emit(this.failure(request, i, "server returned no choices", latencyMs));
        return;
      }
      for (const choice of choices.slice(0, missing.length)) {
        const sampleIndex = missing.shift()!;
        const sample = { completion: choice.text, model, ...(choice.finishReason ? { finishReason: choice.finishReason } : {}) };
        this.cache?.put(keyFor(sampleIndex), sample);
        emit({ taskId: request.taskId, sampleIndex, ...sample, cached: false, latencyMs });
      }
    }
  }

  private failure(request: GenerationRequest, sampleIndex: number, error: string, latencyMs: number): GenerationResult {
    return { taskId: request.taskId, sampleIndex, error, model: this.options.model, cached: false, latencyMs: Math.round(latencyMs) };
  }

  /** Exponential backoff with full jitter; a server's Retry-After wins when it asks for longer. */
  private async requestWithRetries(api: "chat" | "completions", request: GenerationRequest, params: GenerationParams, n: number): Promise<{ choices: Choice[]; model: string }> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.requestOnce(api, request.prompt, params, n);
      } catch (error) {
        const failure = classify(error);
        if (!failure.retryable || attempt >= this.retry.maxRetries) {
          const tries = attempt + 1;
          throw new Error(tries > 1 ? `${failure.message} (after ${tries} attempts)` : failure.message);
        }
        const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt);
        const delay = Math.max(Math.random() * ceiling, Math.min(failure.retryAfterMs ?? 0, this.retry.maxDelayMs));
        this.options.onRetry?.({ taskId: request.taskId, attempt: attempt + 1, maxRetries: this.retry.maxRetries, delayMs: Math.round(delay), message: failure.message });
        await sleep(delay);
      }
    }
  }

  private async requestOnce(api: "chat" | "completions", prompt: Prompt, params: GenerationParams, n: number): Promise<{ choices: Choice[]; model: string }> {
    const { extra, ...sampling } = params;
    const common = { model: this.options.model, n, ...definedOnly(sampling), ...extra };
    if (api === "chat") {
      const messages: ChatMessage[] = typeof prompt === "string" ? [{ role: "user", content: prompt }] : prompt;
      const response: unknown = await this.client.chat.completions.create({ ...common, messages, stream: false } as OpenAI.ChatCompletionCreateParamsNonStreaming);
      return parseResponse(response, this.options.model, (c) => {
        const message = c["message"];
        const content = typeof message === "object" && message !== null ? (message as Record<string, unknown>)["content"] : undefined;
        return typeof content === "string" ? content : content === null ? "" : undefined;
      });
    }
    const text = typeof prompt === "string" ? prompt : renderChatAsText(prompt);
    const response: unknown = await this.client.completions.create({ ...common, prompt: text, stream: false } as OpenAI.CompletionCreateParamsNonStreaming);
    return parseResponse(response, this.options.model, (c) => (typeof c["text"] === "string" ? c["text"] : undefined));
  }
}

/** Generating backends need a finite count (replay alone accepts n = Infinity, "all there are"). */
export function assertSampleCounts(requests: readonly GenerationRequest[]): void {
  for (const r of requests) {
    if (!Number.isInteger(r.n) || r.n < 0) throw new Error(`task ${r.taskId}: n must be a non-negative integer, got ${r.n}`);
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A chat prompt sent to /completions: roles as plain headings (servers without a chat template). */
function renderChatAsText(messages: ChatMessage[]): string {
  return messages.map((m) => `${m.role.toUpperCase()}:\n${m.content}\n`).join("\n") + "\nASSISTANT:\n";
}

/** Checks the response's shape by hand: servers differ, and a malformed body is a per-sample error. */
function parseResponse(response: unknown, fallbackModel: string, textOf: (choice: Record<string, unknown>) => string | undefined): { choices: Choice[]; model: string } {
  if (typeof response !== "object" || response === null || !Array.isArray((response as Record<string, unknown>)["choices"])) {
    const preview = typeof response === "string" ? response.slice(0, 120) : JSON.stringify(response)?.slice(0, 120);
    throw new RequestFailure(`malformed response (no choices array): ${preview}`, false);
  }
  const body = response as Record<string, unknown>;
  const raw = (body["choices"] as unknown[]).filter((c): c is Record<string, unknown> => typeof c === "object" && c !== null);
  raw.sort((a, b) => Number(a["index"] ?? 0) - Number(b["index"] ?? 0));
  const choices: Choice[] = [];
  for (const choice of raw) {
    const text = textOf(choice);
    if (text === undefined) throw new RequestFailure("malformed response: a choice has no text", false);
    const finish = choice["finish_reason"];
    choices.push({ text, ...(typeof finish === "string" ? { finishReason: finish } : {}) });
  }
  return { choices, model: typeof body["model"] === "string" && body["model"] ? body["model"] : fallbackModel };
}

function retryAfter(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get("retry-after-ms"));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const seconds = Number(headers?.get("retry-after"));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

/** Which failures are worth another try: 408, 409, 429, 5xx, timeouts and network errors. */
function classify(error: unknown): RequestFailure {
  if (error instanceof RequestFailure) return error;
  if (error instanceof APIConnectionTimeoutError) return new RequestFailure("request timed out", true);
  if (error instanceof APIConnectionError) return new RequestFailure(`network error: ${error.cause instanceof Error ? error.cause.message : error.message}`, true);
  if (error instanceof APIError && typeof error.status === "number") {
    const status = error.status;
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    return new RequestFailure(`HTTP ${status}: ${error.message.slice(0, 300)}`, retryable, retryAfter(error.headers));
  }
  if (error instanceof SyntaxError) return new RequestFailure(`malformed response (invalid JSON): ${error.message.slice(0, 200)}`, false);
  return new RequestFailure(error instanceof Error ? error.message : String(error), false);
}
