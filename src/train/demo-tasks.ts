/**
 * The learning demonstration's setting (issue 12): the N shortest SecCodePLT+ tasks, and SFT pairs
 * that teach both the patched and the vulnerable reference of each, so the SFT policy starts out
 * writing either and RL has something to choose between.
 */
import type { Task } from "../task/schema.js";
import { asCompletion, taskPrompt } from "./rollout.js";

/** Tasks with both references, shortest (patched + vulnerable program text) first; ties by id. */
export function shortestPairedTasks(tasks: readonly Task[], n: number): Task[] {
  const size = (t: Task) => (t.references[0]?.length ?? 0) + String(t.extra["vulnerableProgram"] ?? "").length;
  return tasks
    .filter((t) => t.kind === "seccodeplt" && t.references[0] && typeof t.extra["vulnerableProgram"] === "string" && String(t.extra["vulnerableProgram"]).trim() !== "")
    .sort((a, b) => size(a) - size(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, n);
}

/** Prompt → patched and prompt → vulnerable for every task. */
export function bothReferencePairs(tasks: readonly Task[]): { prompt: string; completion: string }[] {
  return tasks.flatMap((t) => [
    { prompt: taskPrompt(t), completion: asCompletion(t.references[0]!) },
    { prompt: taskPrompt(t), completion: asCompletion(String(t.extra["vulnerableProgram"])) },
  ]);
}

/** The demonstration's settings in one place (the trainers' own defaults hold everything else). */
export const DEMO = {
  tasks: 8,
  samplesPerTask: 16,
  maxNewTokens: 16,
  /** SFT (src/train/sft.ts): line tokens, a 2-layer d=64 model, trained to write both references. */
  sft: { tokenizer: "line", model: { contextLength: 48, dModel: 64, nLayers: 2, nHeads: 4, valueHead: false }, steps: 150, batchSize: 16, lr: 3e-3, warmupSteps: 10, evalEvery: 50, valFraction: 0 },
  ppo: { steps: 40, samples_per_step: 32 },
  grpo: { steps: 40, prompts_per_step: 8, group_size: 4 },
} as const;
