import { z } from "zod";
import { OpenAICompatiblePolicy } from "./openai.js";
import { LlamaCppPolicy } from "./llamacpp.js";
import { ReplayPolicy } from "./replay.js";
import { LocalPolicy } from "./local.js";
import type { Policy, PolicyHooks } from "./types.js";

/** Generation parameters as a config file writes them (snake_case, like the OpenAI API). */
const ParamsSchema = z
  .object({
    temperature: z.number().min(0).optional(),
    top_p: z.number().gt(0).max(1).optional(),
    max_tokens: z.number().int().positive().optional(),
    seed: z.number().int().optional(),
    stop: z.array(z.string()).optional(),
    extra: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** A backend from a config file (bench config `policy:` block); `backend` picks the kind. */
export const PolicyConfigSchema = z.discriminatedUnion("backend", [
  z
    .object({
      backend: z.literal("openai"),
      base_url: z.string().url(),
      model: z.string().min(1),
      api_key: z.string().optional(),
      api: z.enum(["chat", "completions", "auto"]).default("auto"),
      concurrency: z.number().int().positive().default(4),
      timeout_ms: z.number().int().positive().default(120_000),
      max_retries: z.number().int().min(0).default(4),
      samples_per_request: z.number().int().positive().optional(),
      cache_dir: z.string().nullable().optional(),
      params: ParamsSchema.default({}),
    })
    .strict(),
  z
    .object({
      backend: z.literal("llamacpp"),
      model_path: z.string().min(1),
      threads: z.number().int().positive().optional(),
      context_size: z.number().int().positive().optional(),
      gpu_layers: z.union([z.number().int().min(0), z.literal("auto")]).optional(),
      cache_dir: z.string().nullable().optional(),
      params: ParamsSchema.default({}),
    })
    .strict(),
  z.object({ backend: z.literal("replay"), samples: z.string().min(1) }).strict(),
  /** A checkpoint or run folder of `securecoderl train` (the in-process small model). */
  z.object({ backend: z.literal("local"), path: z.string().min(1), params: ParamsSchema.default({}) }).strict(),
]);
export type PolicyConfig = z.input<typeof PolicyConfigSchema>;

export async function createPolicy(config: unknown, hooks: PolicyHooks = {}): Promise<Policy> {
  const parsed = PolicyConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new Error(`invalid policy config: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  }
  const c = parsed.data;
  switch (c.backend) {
    case "openai":
      return new OpenAICompatiblePolicy({
        baseUrl: c.base_url,
        model: c.model,
        ...(c.api_key !== undefined ? { apiKey: c.api_key } : {}),
        api: c.api,
        concurrency: c.concurrency,
        timeoutMs: c.timeout_ms,
        retry: { maxRetries: c.max_retries },
        ...(c.samples_per_request !== undefined ? { samplesPerRequest: c.samples_per_request } : {}),
        ...(c.cache_dir !== undefined ? { cacheDir: c.cache_dir } : {}),
        defaults: c.params,
        ...(hooks.onRetry ? { onRetry: hooks.onRetry } : {}),
      });
    case "llamacpp":
      return new LlamaCppPolicy({
        modelPath: c.model_path,
        ...(c.threads !== undefined ? { threads: c.threads } : {}),
        ...(c.context_size !== undefined ? { contextSize: c.context_size } : {}),
        ...(c.gpu_layers !== undefined ? { gpuLayers: c.gpu_layers } : {}),
        ...(c.cache_dir !== undefined ? { cacheDir: c.cache_dir } : {}),
        defaults: c.params,
      });
    case "replay":
      return ReplayPolicy.fromFile(c.samples);
    case "local":
      return new LocalPolicy({ path: c.path, defaults: c.params });
  }
}
