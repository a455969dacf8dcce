import { createHash } from "node:crypto";
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import type { GenerationParams, Prompt } from "./types.js";

/**
 * On-disk generation cache: one row per sample, keyed by sha256 over everything that shapes the
 * sample (API kind, model, prompt, sampling parameters, sample index). Keying per sample lets a
 * run that asks for more samples reuse the ones it already has. Errors are never cached.
 */

export const DEFAULT_CACHE_DIR = ".securecoderl-cache";
const CACHE_FILE = "generations.sqlite";

/** The cache folder in use: an explicit one, else $SECURECODERL_CACHE_DIR, else ./.securecoderl-cache. */
export function cacheDirectory(dir?: string): string {
  return resolve(dir ?? (process.env.SECURECODERL_CACHE_DIR || DEFAULT_CACHE_DIR));
}

/** Where the cache is, how many samples it holds and its size on disk (0 when there is none). */
export function cacheStats(dir?: string): { dir: string; entries: number; bytes: number } {
  const folder = cacheDirectory(dir);
  const file = join(folder, CACHE_FILE);
  if (!existsSync(file)) return { dir: folder, entries: 0, bytes: 0 };
  let bytes = 0;
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) bytes += statSync(f).size;
  const db = new Database(file, { readonly: true });
  try {
    const row = db.prepare("SELECT COUNT(*) AS n FROM samples").get() as { n: number };
    return { dir: folder, entries: row.n, bytes };
  } finally {
    db.close();
  }
}

/** Deletes the cache's database (and nothing else in its folder); returns how many samples it held. */
export function clearCache(dir?: string): number {
  const { dir: folder, entries } = cacheStats(dir);
  const file = join(folder, CACHE_FILE);
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  return entries;
}

export interface CachedSample {
  completion: string;
  model: string;
  finishReason?: string;
}

export interface SampleKey {
  backend: string;
  model: string;
  prompt: Prompt;
  params: GenerationParams;
  sampleIndex: number;
}

/** JSON with sorted object keys, so equal parameters hash equally whatever their order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function sampleKey(key: SampleKey): string {
  return createHash("sha256").update(canonical({ v: 1, ...key })).digest("hex");
}

export class GenerationCache {
  private readonly db: Database.Database;
  private readonly getStmt: Database.Statement<[string], { completion: string; model: string; finish_reason: string | null }>;
  private readonly putStmt: Database.Statement<[string, string, string, string | null, number]>;

  constructor(dir?: string | undefined) {
    const folder = cacheDirectory(dir);
    mkdirSync(folder, { recursive: true });
    this.db = new Database(join(folder, CACHE_FILE));
    this.db.pragma("journal_mode = WAL");
    // Several runs may share a cache; wait for a writer rather than fail.
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(
      "CREATE TABLE IF NOT EXISTS samples (key TEXT PRIMARY KEY, completion TEXT NOT NULL, model TEXT NOT NULL, finish_reason TEXT, created_ms INTEGER NOT NULL)",
    );
    this.getStmt = this.db.prepare("SELECT completion, model, finish_reason FROM samples WHERE key = ?");
    this.putStmt = this.db.prepare("INSERT OR REPLACE INTO samples (key, completion, model, finish_reason, created_ms) VALUES (?, ?, ?, ?, ?)");
  }

  get(key: string): CachedSample | undefined {
    const row = this.getStmt.get(key);
    if (!row) return undefined;
    return { completion: row.completion, model: row.model, ...(row.finish_reason ? { finishReason: row.finish_reason } : {}) };
  }

  put(key: string, sample: CachedSample): void {
    this.putStmt.run(key, sample.completion, sample.model, sample.finishReason ?? null, Date.now());
  }

  close(): void {
    this.db.close();
  }
}
