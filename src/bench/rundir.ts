import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, renameSync, statSync, symlinkSync, unlinkSync } from "node:fs";
import { join } from "node:path";

/**
 * Run folders. Without `--out`, each run gets a folder of its own under ./securecoderl-out, named
 * by what ran and an id (as promptfoo gives each eval an id), so running the same command twice
 * keeps both runs; `latest` links to the newest. `--out DIR` names a folder, where `--resume` and
 * `--force` decide what happens to a run already there.
 */

export const RUNS_ROOT = "securecoderl-out";
const LATEST = "latest";

/** `20261205-051822-k3q`: sortable by time, unique among runs started in the same second. */
export function runId(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  const suffix = [...randomBytes(3)].map((b) => "abcdefghijkmnpqrstuvwxyz23456789"[b % 32]).join("");
  return `${stamp}-${suffix}`;
}

export function newRunDir(root: string, label: string): string {
  const safe = label.replace(/[^\w.-]+/g, "-").replace(/^-+|-+$/g, "") || "run";
  return join(root, `${safe}-${runId()}`);
}

/** Points root/latest at the run folder (relative, so the tree can move). Best effort. */
export function markLatest(root: string, dir: string): void {
  const link = join(root, LATEST);
  const tmp = `${link}.tmp-${process.pid}`;
  try {
    symlinkSync(dir.slice(root.length + 1), tmp);
    renameSync(tmp, link);
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      /* nothing to clean */
    }
  }
}

/** The most recently started run under root (for `--resume` without `--out`), or undefined. */
export function latestRunDir(root: string, storeFile: string): string | undefined {
  if (!existsSync(root)) return undefined;
  let best: { dir: string; at: number } | undefined;
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === LATEST) continue;
    const store = join(root, entry.name, storeFile);
    if (!existsSync(store)) continue;
    const at = statSync(store).birthtimeMs || statSync(store).ctimeMs;
    if (!best || at > best.at) best = { dir: join(root, entry.name), at };
  }
  return best?.dir;
}
