import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, modelLabel, type BenchConfig } from "./config.js";
import { DEFAULT_SYSTEM_PROMPT, PROMPT_STYLES, unknownPlaceholders, type PromptStyle } from "../policy/index.js";
import { contentHash } from "../verify/index.js";
import type { RewardSpec } from "../reward/index.js";

/**
 * Everything that shaped a run's numbers, stored in the run when it starts and printed in
 * metrics.json, so a figure can be traced to its model, sampling, prompts, spec and code version.
 */

export interface RunSettings {
  models: { name: string; backend: string; model: string | null; base_url: string | null }[];
  temperature: number | null;
  top_p: number | null;
  n: number | null;
  seed: number | null;
  max_tokens: number | null;
  prompt_format: "chat" | "completion";
  system_prompt: string;
  /** Template text per task style, with its hash; absent styles use the built-in prompt. */
  prompt_templates: Partial<Record<PromptStyle, { path: string; sha256: string; text: string }>>;
  reward_spec: { name: string; hash: string; spec: RewardSpec };
  judge: string;
  severity: string;
  analyzers: string[];
  timeout_ms: number | null;
  memory_mb: number | null;
  cache: boolean;
  project_version: string;
  /** The checkout's commit (with "-dirty" when it has uncommitted changes); null outside a git checkout. */
  git_commit: string | null;
}

const packageRoot = (): string => resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "0.0.0";
  }
}

export function gitCommit(root = packageRoot()): string | null {
  if (!existsSync(join(root, ".git"))) return null;
  try {
    const head = execFileSync("git", ["-C", root, "rev-parse", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["-C", root, "status", "--porcelain", "--untracked-files=no"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() !== "";
    return dirty ? `${head}-dirty` : head;
  } catch {
    return null;
  }
}

/** Reads the config's template files once, at the start of a run (a resumed run reuses the stored text). */
export function readPromptTemplates(config: BenchConfig): RunSettings["prompt_templates"] {
  const out: RunSettings["prompt_templates"] = {};
  for (const style of PROMPT_STYLES) {
    const path = config.prompt_templates?.[style];
    if (path === undefined) continue;
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      throw new ConfigError(`prompt_templates.${style}: cannot read ${path}: ${(err as Error).message}`);
    }
    const unknown = unknownPlaceholders(text);
    if (unknown.length > 0) throw new ConfigError(`prompt_templates.${style} (${path}): unknown placeholder(s) ${unknown.map((n) => `{{${n}}}`).join(", ")}; known: {{prompt}}, {{starter_code}}, {{entry_point}}, {{task_id}}, {{cwe}}, {{default}}`);
    out[style] = { path, sha256: createHash("sha256").update(text).digest("hex"), text };
  }
  return out;
}

export function runSettings(config: BenchConfig, spec: RewardSpec, analyzers: readonly string[], templates: RunSettings["prompt_templates"]): RunSettings {
  return {
    models: config.models.map((m, i) => {
      const e = m as Record<string, unknown>;
      return {
        name: modelLabel(m, i),
        backend: m.backend,
        model: typeof e.model === "string" ? e.model : typeof e.model_path === "string" ? e.model_path : typeof e.samples === "string" ? e.samples : null,
        base_url: typeof e.base_url === "string" ? e.base_url : null,
      };
    }),
    temperature: config.temperature ?? null,
    top_p: config.top_p ?? null,
    n: config.n ?? null,
    seed: config.seed ?? null,
    max_tokens: config.max_tokens ?? null,
    prompt_format: config.prompt_format,
    system_prompt: config.system_prompt ?? DEFAULT_SYSTEM_PROMPT,
    prompt_templates: templates,
    reward_spec: { name: spec.name, hash: contentHash(spec), spec },
    judge: config.judge,
    severity: config.severity,
    analyzers: [...analyzers],
    timeout_ms: config.timeout_ms ?? null,
    memory_mb: config.memory_mb ?? null,
    cache: config.cache,
    project_version: packageVersion(),
    git_commit: gitCommit(),
  };
}
