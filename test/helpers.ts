import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const DATASETS_DIR = resolve(REPO_ROOT, "..", "shared", "datasets");

/** The real CLI, as a user runs it. */
export function runCli(args: string[], opts: { input?: string | Buffer; cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [join(REPO_ROOT, "bin", "securecoderl.js"), ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    input: opts.input,
    encoding: "utf8",
    timeout: opts.timeoutMs ?? 300_000,
    maxBuffer: 256 * 1024 * 1024,
    env: opts.env ?? process.env,
  });
}

/**
 * Path of a shared dataset file, or null with a visible skip message when ../shared/datasets is
 * absent (a user's fresh clone has no ../shared).
 */
export function datasetPath(relative: string): string | null {
  const p = join(DATASETS_DIR, relative);
  if (!existsSync(p)) {
    process.stderr.write(`SKIP: dataset ${relative} not found at ${p}; tests that need it are skipped\n`);
    return null;
  }
  return p;
}

/** Every `.py` file below `dir`, recursively. */
export function pythonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...pythonFiles(path));
    else if (name.endsWith(".py")) out.push(path);
  }
  return out;
}
