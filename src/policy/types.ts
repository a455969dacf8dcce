/** The common face of every generation backend (HTTP, local llama.cpp, replay). */

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** A plain string is a completion-style prompt; a message list is a chat prompt. */
export type Prompt = string | ChatMessage[];

export interface GenerationParams {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  /** With several requests for one task, request k uses seed + (index of its first sample). */
  seed?: number;
  stop?: string[];
  /** Server-specific fields passed through as they are (vLLM's top_k, min_p, ...). */
  extra?: Record<string, unknown>;
}

export interface GenerationRequest {
  taskId: string;
  prompt: Prompt;
  /** Samples wanted for this task. */
  n: number;
  params?: GenerationParams;
}

export interface GenerationResult {
  taskId: string;
  sampleIndex: number;
  /** Exactly one of completion and error is set. */
  completion?: string;
  error?: string;
  /** The model that answered (as the server names it), or the configured one. */
  model: string;
  cached: boolean;
  latencyMs: number;
  finishReason?: string;
}

export interface Progress {
  done: number;
  total: number;
  errors: number;
  cached: number;
}

export type ProgressFn = (progress: Progress) => void;

/** A failed request that will be tried again (server error, timeout, network), for the user to see. */
export interface RetryEvent {
  taskId: string;
  /** 1 for the first retry. */
  attempt: number;
  maxRetries: number;
  delayMs: number;
  /** Why the last try failed ("HTTP 503: ...", "network error: ..."). */
  message: string;
}

/** Hooks a caller may hand a backend when it creates it. */
export interface PolicyHooks {
  onRetry?: (event: RetryEvent) => void;
}

export interface Policy {
  /** A short label for reports ("openai:qwen2.5-coder-7b", "replay:samples.jsonl"). */
  readonly name: string;
  /**
   * Yields one result per requested sample, in completion order (not request order). Failures
   * are results with `error`; the iterator itself only throws on misuse (e.g. a bad config).
   */
  generate(requests: readonly GenerationRequest[], onProgress?: ProgressFn): AsyncIterable<GenerationResult>;
  /** Releases sockets, caches and models. */
  close?(): Promise<void>;
}
