export type { ChatMessage, Prompt, GenerationParams, GenerationRequest, GenerationResult, Policy, PolicyHooks, Progress, ProgressFn, RetryEvent } from "./types.js";
export { OpenAICompatiblePolicy, type OpenAICompatibleOptions } from "./openai.js";
export { GenerationCache, DEFAULT_CACHE_DIR, sampleKey, cacheDirectory, cacheStats, clearCache } from "./cache.js";
export { ReplayPolicy, readSamplesFile, type ReplaySample, type SamplesFileReport } from "./replay.js";
export { LlamaCppPolicy, type LlamaCppOptions } from "./llamacpp.js";
export { LocalPolicy, type LocalPolicyOptions } from "./local.js";
export { buildPrompt, promptStyleFor, describeSafeSqlSchema, renderPromptTemplate, unknownPlaceholders, PROMPT_PLACEHOLDERS, PROMPT_STYLES, DEFAULT_SYSTEM_PROMPT, type PromptOptions, type PromptStyle } from "./prompts.js";
export { createPolicy, PolicyConfigSchema, type PolicyConfig } from "./create.js";
export { extractCode, looksLikeCode, type ExtractOptions } from "./extract.js";

import type { GenerationResult } from "./types.js";

/** Drains a policy's results into an array (for small runs and tests). */
export async function collect(results: AsyncIterable<GenerationResult>): Promise<GenerationResult[]> {
  const all: GenerationResult[] = [];
  for await (const r of results) all.push(r);
  return all;
}
