/** Writes a run folder for one engine: data, reward clients, config.yaml/config.json, run.sh. */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Task } from "../../task/index.js";
import { defaultConfig, toYaml, type TrainConfig } from "./config.js";
import { jsonlRow, sftRow, verlParquet } from "./data.js";
import { ENGINE_VERSIONS, type Algorithm, type EngineName } from "./flags.js";
import { engineCommand, runSh } from "./runsh.js";

/**
 * The package root holds python/: found by walking up, because this module runs from src/ (tsx),
 * dist/train/engines/ (tsc) or dist/bundle/ (the CLI's bundle), each at a different depth.
 */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "python", "clients"))) {
    const up = resolve(dir, "..");
    if (up === dir) throw new Error("python/clients not found above the installed package (broken installation)");
    dir = up;
  }
  return dir;
}
const PACKAGE_ROOT = packageRoot();

export interface RunFolderOptions {
  engine: EngineName;
  algorithm: Algorithm;
  model: string;
  tasks: readonly Task[];
  taskFiles: readonly string[];
  out: string;
  rewardUrl?: string;
  gpus?: number;
  valFraction?: number;
}

export interface RunFolder {
  out: string;
  config: TrainConfig;
  files: string[];
  engineCommand: string;
}

function jsonl(rows: readonly unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join("\n") + (rows.length > 0 ? "\n" : "");
}

export function writeRunFolder(o: RunFolderOptions): RunFolder {
  const gpus = o.gpus ?? 1;
  if (!(Number.isInteger(gpus) && gpus > 0)) throw new Error(`--gpus must be a positive whole number, got ${String(o.gpus)}`);
  const config = defaultConfig(o.engine, o.algorithm, o.model, gpus, o.rewardUrl ?? "");
  mkdirSync(join(o.out, "data"), { recursive: true });
  // Last tenth of tasks validates (by task, never by sample).
  const frac = o.valFraction ?? 0.1;
  const nVal = frac === 0 ? 0 : Math.max(o.tasks.length > 1 ? 1 : 0, Math.round(o.tasks.length * frac));
  const splits = { train: o.tasks.slice(0, o.tasks.length - nVal), val: o.tasks.slice(o.tasks.length - nVal) };
  const files: string[] = [];
  const names = { train: "", val: "" };
  for (const split of ["train", "val"] as const) {
    const rel = o.engine === "verl" && o.algorithm !== "sft" ? `data/${split}.parquet` : `data/${split}.jsonl`;
    names[split] = rel;
    const path = join(o.out, rel);
    if (rel.endsWith(".parquet")) writeFileSync(path, new Uint8Array(verlParquet(splits[split], split)));
    else if (o.algorithm === "sft") writeFileSync(path, jsonl(splits[split].map((t) => sftRow(o.engine, t)).filter((r) => r !== null)));
    else writeFileSync(path, jsonl(splits[split].map((t) => jsonlRow(o.engine, t))));
    files.push(rel);
  }
  if (o.engine === "verl" && o.algorithm === "sft") {
    // verl's SFT trainer reads Parquet with prompt/response string columns.
    for (const split of ["train", "val"] as const) {
      const rel = `data/${split}.parquet`;
      writeFileSync(join(o.out, rel), new Uint8Array(verlSftParquet(splits[split])));
      names[split] = rel;
      files.push(rel);
    }
  }
  mkdirSync(join(o.out, "clients"), { recursive: true });
  const clientDir = join(PACKAGE_ROOT, "python", "clients");
  for (const f of readdirSync(clientDir).filter((f) => f.endsWith(".py"))) {
    copyFileSync(join(clientDir, f), join(o.out, "clients", f));
    files.push(`clients/${f}`);
  }
  if (o.engine === "hf") {
    mkdirSync(join(o.out, "engines"), { recursive: true });
    const script = join(PACKAGE_ROOT, "python", "engines", "hf_train.py");
    if (!existsSync(script)) throw new Error(`missing ${script}`);
    copyFileSync(script, join(o.out, "engines", "hf_train.py"));
    files.push("engines/hf_train.py");
  }
  const command = engineCommand(config, names);
  const header = `# securecoderl train ${o.algorithm} --engine ${o.engine} (${ENGINE_VERSIONS[o.engine]})\n`;
  writeFileSync(join(o.out, "config.yaml"), header + toYaml(config) + "\n");
  writeFileSync(join(o.out, "config.json"), JSON.stringify(config, null, 2) + "\n");
  writeFileSync(join(o.out, "run.sh"), runSh(config, o.taskFiles.map((f) => resolve(f)), command));
  chmodSync(join(o.out, "run.sh"), 0o755);
  files.push("config.yaml", "config.json", "run.sh");
  return { out: o.out, config, files, engineCommand: command };
}

import { parquetWriteBuffer } from "hyparquet-writer";
import { SYSTEM_PROMPT, userPrompt } from "./data.js";

function verlSftParquet(tasks: readonly Task[]): ArrayBuffer {
  const rows = tasks.filter((t) => t.references[0] !== undefined && t.kind !== "safesql");
  return parquetWriteBuffer({
    columnData: [
      { name: "prompt", data: rows.map((t) => `${SYSTEM_PROMPT}\n\n${userPrompt(t)}`), type: "STRING" },
      { name: "response", data: rows.map((t) => "```python\n" + t.references[0]!.trim() + "\n```"), type: "STRING" },
      { name: "data_source", data: rows.map((t) => `securecoderl/${t.source}`), type: "STRING" },
    ],
  });
}
