import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { getSpec, parseSpec, type RewardSpec } from "./spec.js";

/**
 * What a `--reward` flag names: a built-in spec name (securecoderl, real), or a YAML/JSON file
 * holding a custom spec object. Returns the name or the parsed object, for getSpec/parseSpec.
 */
export async function readRewardArgument(reward: string): Promise<unknown> {
  if (!/[./\\]/.test(reward) || !existsSync(reward)) return reward;
  // A static import: in the CLI's bundle a dynamic import of this CommonJS package hands back its
  // exports under `default`, and `parse` came out undefined for every spec file.
  return parseYaml(await readFile(reward, "utf8"));
}

/** The spec a `--reward`/`--spec` flag names: a built-in by name, or a custom spec file, checked. */
export async function loadRewardSpec(reward: string): Promise<RewardSpec> {
  const value = await readRewardArgument(reward);
  return typeof value === "string" ? getSpec(value) : parseSpec(value);
}
