import { readFile } from "node:fs/promises";
import { dirname, extname, isAbsolute, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { PolicyConfigSchema } from "../policy/index.js";
import { DATASET_KINDS } from "../task/schema.js";

/**
 * The bench config file (YAML or JSON). Every field has a flag; flags win over the file. Relative
 * paths in a file are resolved against the file's folder, so a config travels with its data.
 */

const LEVELS = ["LOW", "MEDIUM", "HIGH"] as const;

export const DatasetEntrySchema = z
  .object({
    path: z.string().min(1),
    kind: z.enum(DATASET_KINDS).optional(),
    limit: z.number().int().positive().optional(),
    /** Label in tables (default: the loader's dataset kind). */
    name: z.string().min(1).optional(),
  })
  .strict();

/** A model: a policy config (see src/policy) plus a display name and an env var for the API key. */
export const ModelEntrySchema = z
  .object({
    name: z.string().min(1).optional(),
    backend: z.enum(["replay", "openai", "llamacpp", "local"]),
    api_key_env: z.string().min(1).optional(),
  })
  .passthrough()
  .superRefine((value, ctx) => {
    const { name: _name, api_key_env: _env, ...policy } = value;
    const parsed = PolicyConfigSchema.safeParse(policy);
    if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ ...issue });
  });

export const BenchConfigSchema = z
  .object({
    name: z.string().min(1).optional(),
    datasets: z.array(DatasetEntrySchema).min(1, "at least one dataset is needed"),
    models: z.array(ModelEntrySchema).min(1, "at least one model is needed"),
    /** A built-in spec name (securecoderl, real) or a custom spec object (see docs/rewards.md). */
    reward: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).default("securecoderl"),
    /** Samples per task; replay models default to every sample the file holds for a task. */
    n: z.number().int().positive().optional(),
    temperature: z.number().min(0).optional(),
    top_p: z.number().gt(0).max(1).optional(),
    seed: z.number().int().optional(),
    max_tokens: z.number().int().positive().optional(),
    prompt_format: z.enum(["chat", "completion"]).default("chat"),
    /** System message of chat prompts ("" sends none); default: the built-in one (docs/backends.md). */
    system_prompt: z.string().optional(),
    /** User-message template files per task style (docs/backends.md lists the placeholders). */
    prompt_templates: z.object({ stdin: z.string().min(1), function: z.string().min(1), seccodeplt: z.string().min(1), safesql: z.string().min(1) }).partial().strict().optional(),
    /** Reuse and fill the generation cache (off: every sample is generated anew). */
    cache: z.boolean().default(true),
    jobs: z.number().int().positive().optional(),
    /** Per-test CPU-time limit (the sandbox adds a wall-clock backstop). */
    timeout_ms: z.number().int().positive().optional(),
    memory_mb: z.number().int().positive().optional(),
    judge: z.enum(["strict", "apps"]).default("strict"),
    /** Findings at or above this severity make a sample count toward security_issue_rate. */
    severity: z.enum(LEVELS).default("LOW"),
    /** Analyzers to run (default rules + vuln, plus whatever the reward spec counts). */
    analyzers: z.array(z.enum(["rules", "vuln", "types"])).optional(),
    pass_k: z.array(z.number().int().positive()).default([1, 5, 10]),
    /** `securecoderl serve` replicas (or one load balancer) that verify instead of this process. */
    verifier: z.array(z.string().url()).min(1).optional(),
  })
  .strict();

export type BenchConfig = z.infer<typeof BenchConfigSchema>;
export type BenchConfigInput = z.input<typeof BenchConfigSchema>;
export type DatasetEntry = z.infer<typeof DatasetEntrySchema>;
export type ModelEntry = z.infer<typeof ModelEntrySchema>;

export class ConfigError extends Error {}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
}

export function parseBenchConfig(raw: unknown, where = "config"): BenchConfig {
  const parsed = BenchConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`invalid ${where}: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

/** Model paths (samples files, GGUF files, caches) that a config names relative to itself. */
const MODEL_PATH_FIELDS = ["samples", "model_path", "cache_dir", "path"] as const;

export function resolvePaths(raw: Record<string, unknown>, baseDir: string): Record<string, unknown> {
  const abs = (p: unknown) => (typeof p === "string" && p !== "" && !isAbsolute(p) ? resolve(baseDir, p) : p);
  const out = { ...raw };
  if (out.prompt_templates && typeof out.prompt_templates === "object" && !Array.isArray(out.prompt_templates)) {
    out.prompt_templates = Object.fromEntries(Object.entries(out.prompt_templates as Record<string, unknown>).map(([k, v]) => [k, abs(v)]));
  }
  if (Array.isArray(out.datasets)) out.datasets = out.datasets.map((d) => (d && typeof d === "object" ? { ...d, path: abs((d as Record<string, unknown>).path) } : d));
  if (Array.isArray(out.models)) {
    out.models = out.models.map((m) => {
      if (!m || typeof m !== "object") return m;
      const copy = { ...(m as Record<string, unknown>) };
      for (const key of MODEL_PATH_FIELDS) if (key in copy) copy[key] = abs(copy[key]);
      return copy;
    });
  }
  return out;
}

/** Reads a YAML or JSON config file (raw object, paths resolved, not yet validated). */
export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read config ${path}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message}`);
  }
  let value: unknown;
  try {
    value = extname(path).toLowerCase() === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(`cannot parse config ${path}: ${(err as Error).message}`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new ConfigError(`config ${path} must hold a mapping of settings`);
  return resolvePaths(value as Record<string, unknown>, dirname(resolve(path)));
}

/** Display name of a model entry. */
export function modelLabel(entry: ModelEntry, index: number): string {
  if (entry.name) return entry.name;
  const e = entry as Record<string, unknown>;
  if (entry.backend === "openai") return String(e.model);
  if (entry.backend === "llamacpp") return String(e.model_path).split("/").pop() ?? `model${index}`;
  if (entry.backend === "local") return `local:${String(e.path).split("/").filter(Boolean).pop() ?? index}`;
  return `replay-${index}`;
}
