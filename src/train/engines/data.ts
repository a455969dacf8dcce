/**
 * Training rows in each engine's format. Every row carries our Task as JSON (verl: in
 * reward_model.ground_truth; OpenRLHF: the label_key column; TRL/hf: a `task` column), so the
 * reward service judges from the full task and never from lossy columns.
 */
import { parquetWriteBuffer } from "hyparquet-writer";
import type { Task } from "../../task/index.js";
import type { EngineName } from "./flags.js";

export const SYSTEM_PROMPT = "You are a careful Python programmer. Write correct and secure code in one ```python block.";

export function userPrompt(t: Task): string {
  return t.starterCode.trim() ? `${t.prompt}\n\n${t.starterCode}` : t.prompt;
}

export function chatPrompt(t: Task): { role: string; content: string }[] {
  return [
    { role: "system", content: SYSTEM_PROMPT },
    { role: "user", content: userPrompt(t) },
  ];
}

export function verlParquet(tasks: readonly Task[], split: string): ArrayBuffer {
  return parquetWriteBuffer({
    columnData: [
      { name: "data_source", data: tasks.map((t) => `securecoderl/${t.source}`), type: "STRING" },
      { name: "prompt", data: tasks.map(chatPrompt) },
      { name: "ability", data: tasks.map(() => "code"), type: "STRING" },
      { name: "reward_model", data: tasks.map((t) => ({ style: "rule", ground_truth: JSON.stringify(t) })) },
      { name: "extra_info", data: tasks.map((t, i) => ({ split, index: i, task_ref: JSON.stringify({ dataset: t.source, task_id: t.id }) })) },
    ],
  });
}

/** OpenRLHF (--input_key prompt --label_key label), TRL and hf share one JSONL row shape. */
export function jsonlRow(engine: EngineName, t: Task): Record<string, unknown> {
  const task = JSON.stringify(t);
  if (engine === "openrlhf") return { prompt: chatPrompt(t), label: task };
  return { prompt: chatPrompt(t), task, task_id: t.id, reference: t.references[0] ?? "" };
}

/** SFT rows: the task's reference as the answer (SafeSQL references are injectable and left out). */
export function sftRow(engine: EngineName, t: Task): Record<string, unknown> | null {
  const ref = t.references[0];
  if (ref === undefined || t.kind === "safesql") return null;
  const answer = "```python\n" + ref.trim() + "\n```";
  if (engine === "openrlhf") return { prompt: chatPrompt(t), response: answer };
  return { prompt: chatPrompt(t), completion: [{ role: "assistant", content: answer }], task_id: t.id };
}
