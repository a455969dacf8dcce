/**
 * Launch checks that need no GPU and no Python ML package: every data file reads back with the
 * engine's schema, run.sh passes `bash -n`, and every flag run.sh gives the engine is in that engine
 * version's flag list. (The reward-equality check needs a live service; test/train-engines runs it.)
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readParquetRows } from "../../task/index.js";
import { flagsUsed, knownFlags, type EngineName } from "./flags.js";
import type { RunFolder } from "./folder.js";

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

function requiredColumns(engine: EngineName, algorithm: string, file: string): string[] {
  if (file.endsWith(".parquet")) return algorithm === "sft" ? ["prompt", "response"] : ["data_source", "prompt", "ability", "reward_model", "extra_info"];
  if (algorithm === "sft") return engine === "openrlhf" ? ["prompt", "response"] : ["prompt", "completion"];
  return engine === "openrlhf" ? ["prompt", "label"] : ["prompt", "task"];
}

async function readRows(path: string): Promise<Record<string, unknown>[]> {
  if (path.endsWith(".parquet")) {
    const rows = await readParquetRows(path);
    const bad = rows.find((r) => "error" in r);
    if (bad && "error" in bad) throw new Error(`row ${bad.index}: ${bad.error}`);
    return rows.map((r) => ("row" in r ? r.row : {}));
  }
  return readFileSync(path, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}

export async function launchChecks(folder: RunFolder): Promise<CheckResult[]> {
  const { engine, algorithm } = folder.config;
  const out: CheckResult[] = [];
  for (const rel of folder.files.filter((f) => f.startsWith("data/"))) {
    try {
      const rows = await readRows(join(folder.out, rel));
      const need = requiredColumns(engine, algorithm, rel);
      const bad = rows.findIndex((r) => need.some((k) => !(k in r) || r[k] === null || r[k] === undefined));
      // The reward must see the whole task: its JSON must parse back with tests.
      const taskJson = (r: Record<string, unknown>): unknown =>
        r.reward_model ? (r.reward_model as { ground_truth: string }).ground_truth : (r.label ?? r.task);
      const badTask = algorithm === "sft" ? -1 : rows.findIndex((r) => !Array.isArray((JSON.parse(String(taskJson(r))) as { tests?: unknown }).tests));
      const ok = rows.length > 0 && bad < 0 && badTask < 0;
      out.push({ name: `loads ${rel}`, ok, detail: ok ? `${rows.length} rows, columns ${need.join(",")}` : rows.length === 0 ? "no rows" : `row ${Math.max(bad, badTask)} lacks ${need.join("/")} or a Task` });
    } catch (err) {
      out.push({ name: `loads ${rel}`, ok: false, detail: (err as Error).message });
    }
  }
  const syntax = spawnSync("bash", ["-n", join(folder.out, "run.sh")], { encoding: "utf8" });
  out.push({ name: "run.sh passes bash -n", ok: syntax.status === 0, detail: syntax.stderr.trim() || "ok" });
  const known = new Set(knownFlags(engine));
  const unknown = flagsUsed(engine, folder.engineCommand).filter((f) => !known.has(f));
  out.push({ name: `flags known to ${engine}`, ok: unknown.length === 0, detail: unknown.length === 0 ? `${flagsUsed(engine, folder.engineCommand).length} flags` : `unknown: ${unknown.join(" ")}` });
  return out;
}
