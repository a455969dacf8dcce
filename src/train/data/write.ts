/**
 * SFT outputs: chat JSONL (`messages`), prompt/completion JSONL (TRL's prompt-completion layout,
 * loss on the completion only) and Parquet in verl's SFT layout (`prompt`/`response` string columns
 * for `data.prompt_key`/`data.response_key`, plus `messages` for multi-turn mode).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import type { SftSample, SftStats } from "./select.js";

export const SFT_SYSTEM_PROMPT = "You are a careful Python programmer. Write correct and secure code.";

/** The training target: the extracted program in one fenced block, so the model learns the answer format the verifier extracts. */
export function sftTarget(s: SftSample): string {
  const code = (s.code ?? "").trim();
  return code.length > 0 ? "```python\n" + code + "\n```" : s.completion;
}

export function chatRow(s: SftSample): { messages: { role: string; content: string }[] } {
  return {
    messages: [
      { role: "system", content: SFT_SYSTEM_PROMPT },
      { role: "user", content: s.prompt },
      { role: "assistant", content: sftTarget(s) },
    ],
  };
}

export function promptCompletionRow(s: SftSample): { prompt: string; completion: string; task_id: string; dataset: string; reward: number | null } {
  return { prompt: s.prompt, completion: sftTarget(s), task_id: s.task_id, dataset: s.dataset, reward: s.reward };
}

function jsonl(rows: readonly unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join("\n") + (rows.length > 0 ? "\n" : "");
}

export function sftParquet(samples: readonly SftSample[]): ArrayBuffer {
  return parquetWriteBuffer({
    columnData: [
      { name: "prompt", data: samples.map((s) => s.prompt), type: "STRING" },
      { name: "response", data: samples.map((s) => sftTarget(s)), type: "STRING" },
      { name: "messages", data: samples.map((s) => chatRow(s).messages) },
      { name: "data_source", data: samples.map((s) => s.dataset), type: "STRING" },
      { name: "extra_info", data: samples.map((s) => ({ task_id: s.task_id, reward: s.reward ?? 0, passed: s.passed, total: s.total })) },
    ],
  });
}

export interface SftOutputPaths {
  [name: string]: string;
}

export function writeSftOutputs(out: string, split: { train: SftSample[]; validation: SftSample[]; stats: SftStats }, statsText: string): SftOutputPaths {
  mkdirSync(out, { recursive: true });
  const paths: SftOutputPaths = {};
  for (const [name, rows] of [["train", split.train], ["validation", split.validation]] as const) {
    paths[`${name}.chat.jsonl`] = join(out, `${name}.chat.jsonl`);
    writeFileSync(paths[`${name}.chat.jsonl`]!, jsonl(rows.map(chatRow)));
    paths[`${name}.prompt_completion.jsonl`] = join(out, `${name}.prompt_completion.jsonl`);
    writeFileSync(paths[`${name}.prompt_completion.jsonl`]!, jsonl(rows.map(promptCompletionRow)));
    paths[`${name}.parquet`] = join(out, `${name}.parquet`);
    writeFileSync(paths[`${name}.parquet`]!, new Uint8Array(sftParquet(rows)));
  }
  paths["stats.json"] = join(out, "stats.json");
  writeFileSync(paths["stats.json"]!, JSON.stringify(split.stats, null, 2) + "\n");
  paths["stats.md"] = join(out, "stats.md");
  writeFileSync(paths["stats.md"]!, statsText + "\n");
  return paths;
}
