import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { RuleOptionsByKey } from "../rules/index.js";

/** Settings a config file may hold (Bandit's keys, in a `[tool.securecoderl]` table or a YAML file). */
export interface ScanConfig {
  tests?: string[];
  skips?: string[];
  exclude_dirs?: string[];
  /** Per-rule option sections, keyed like Bandit's plugin config (e.g. "hardcoded_tmp_directory"). */
  ruleOptions: RuleOptionsByKey;
  /** Where it came from, for messages. */
  source: string | null;
}

export class ConfigError extends Error {}

function stringList(value: unknown, key: string, source: string): string[] {
  if (typeof value === "string") return value.split(",").map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
  throw new ConfigError(`${source}: "${key}" must be a list of strings or a comma-separated string`);
}

function fromObject(obj: unknown, source: string): ScanConfig {
  // Keys come from the user's file: a table with no prototype takes `constructor` as any other key.
  const out: ScanConfig = { ruleOptions: Object.create(null) as ScanConfig["ruleOptions"], source };
  if (obj === null || obj === undefined) return out;
  if (typeof obj !== "object" || Array.isArray(obj)) throw new ConfigError(`${source}: expected a table of settings`);
  for (const [key, value] of Object.entries(obj as Record<string, unknown>)) {
    if (key === "tests" || key === "skips" || key === "exclude_dirs") out[key] = stringList(value, key, source);
    else if (value && typeof value === "object" && !Array.isArray(value)) out.ruleOptions[key] = value as Record<string, unknown>;
    else throw new ConfigError(`${source}: unknown setting "${key}" (expected tests, skips, exclude_dirs or a rule options table)`);
  }
  return out;
}

// The TOML and YAML parsers are loaded only when a config file is actually read: most scans have
// none, and loading yaml's many modules is a visible part of `scan` start-up.
const requireLazy = createRequire(import.meta.url);
const parseToml = (text: string): unknown => (requireLazy("smol-toml") as typeof import("smol-toml")).parse(text);
const parseYaml = (text: string): unknown => (requireLazy("yaml") as typeof import("yaml")).parse(text);

/** Read a config file: TOML (`[tool.securecoderl]` table in pyproject.toml, or top level) or YAML. */
export function loadConfigFile(path: string): ScanConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read config ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    if (/\.toml$/i.test(path)) {
      const doc = parseToml(text) as Record<string, unknown>;
      const tool = doc.tool as Record<string, unknown> | undefined;
      return fromObject(tool?.securecoderl ?? (/pyproject\.toml$/i.test(path) ? {} : doc), path);
    }
    return fromObject(parseYaml(text), path);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`cannot parse config ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The explicit `--config` file, else `.securecoderl.yml` / `.securecoderl.yaml` in the working
 * directory, else a `[tool.securecoderl]` table in ./pyproject.toml, else nothing.
 */
export function resolveConfig(explicit: string | undefined, cwd = process.cwd()): ScanConfig {
  if (explicit) return loadConfigFile(explicit);
  for (const name of [".securecoderl.yml", ".securecoderl.yaml"]) {
    const p = `${cwd}/${name}`;
    if (existsSync(p)) return loadConfigFile(p);
  }
  const py = `${cwd}/pyproject.toml`;
  if (existsSync(py)) {
    const cfg = loadConfigFile(py);
    return cfg;
  }
  return { ruleOptions: {}, source: null };
}
