/**
 * Rollouts: prompts from tasks (the completion-format prompt `bench` sends), samples from the policy
 * via generate(), rewards from a SampleVerifier, and the padded batch the trainers compute on.
 * Nothing here knows PPO from GRPO.
 */
import { generate, promptInput, type Generation } from "../model/generate.js";
import type { Gpt } from "../model/gpt.js";
import { PAD_ID, type Tokenizer } from "../model/tokenizer.js";
import { buildPrompt } from "../policy/index.js";
import type { Task } from "../task/schema.js";
import type { SampleResult } from "../verify/index.js";
import type { CachedRewards } from "./rewards.js";

/** The prompt a task gets: bench's completion-format prompt, which ends by opening a ```python block. */
export function taskPrompt(task: Task): string {
  return buildPrompt(task, { format: "completion" }) as string;
}

/** What a model continues the prompt with: the program's lines, the last one ending in a newline. */
export function asCompletion(program: string): string {
  const trimmed = program.replace(/^\n+/, "").replace(/\s+$/, "");
  return trimmed === "" ? "" : `${trimmed}\n`;
}

/** The completion the verifier sees: the prompt opened the code block, so the sample is its body. */
export function verifierCompletion(text: string): string {
  return `\`\`\`python\n${text}${text.endsWith("\n") || text === "" ? "" : "\n"}\`\`\`\n`;
}

/**
 * SecCodePLT tasks carry a labelled pair: the patched program (references[0]) and the vulnerable
 * one (extra.vulnerableProgram). A sample is classified by matching the reference text line for
 * line (trailing whitespace and blank lines ignored); anything else is "other". This is the
 * "patched share" of the learning demonstration: exact reference match, not the detector's verdict.
 */
export type Variant = "patched" | "vulnerable" | "other";

function normalise(program: string): string {
  return program
    .split("\n")
    .map((l) => l.replace(/\s+$/, ""))
    .filter((l) => l !== "")
    .join("\n");
}

/** Whether a task carries the labelled pair that classifyVariant needs. */
export function hasVariants(task: Task): boolean {
  return task.references[0] !== undefined && typeof task.extra["vulnerableProgram"] === "string";
}

export function classifyVariant(task: Task, text: string): Variant {
  const mine = normalise(text);
  if (mine === "") return "other";
  if (task.references[0] !== undefined && mine === normalise(task.references[0])) return "patched";
  const vulnerable = task.extra["vulnerableProgram"];
  if (typeof vulnerable === "string" && mine === normalise(vulnerable)) return "vulnerable";
  return "other";
}

export interface SamplingSettings {
  maxNewTokens: number;
  temperature: number;
}

/** One sample per entry of `taskIndices` (repeat an index for several samples of one prompt). */
export function sampleRollouts(policy: Gpt, tokenizer: Tokenizer, tasks: readonly Task[], taskIndices: readonly number[], settings: SamplingSettings, random: () => number): Generation[] {
  const prompts = taskIndices.map((i) => tokenizer.encode(taskPrompt(tasks[i]!)));
  // temperature 1, no top-k/top-p: the trainer's log-probs are then exactly the sampling distribution.
  return generate(policy, tokenizer, prompts, { maxNewTokens: settings.maxNewTokens, sampling: { temperature: settings.temperature, topK: 0, topP: 1 }, random });
}

export interface ScoredRollout {
  taskIndex: number;
  /** False for tasks without a patched/vulnerable pair (their variant is always "other"). */
  labelled: boolean;
  generation: Generation;
  /** The verifier's scalar reward; the spec's no-code penalty when verification failed outright. */
  reward: number;
  result: SampleResult | null;
  variant: Variant;
  error: string | null;
}

/** Rewards for every sample; a sample whose verification throws gets the spec's worst penalty and its error, and the run goes on. */
export async function scoreRollouts(rewards: CachedRewards, tasks: readonly Task[], taskIndices: readonly number[], generations: readonly Generation[], failureReward: number): Promise<ScoredRollout[]> {
  return Promise.all(
    generations.map(async (generation, i) => {
      const taskIndex = taskIndices[i]!;
      const task = tasks[taskIndex]!;
      const variant = classifyVariant(task, generation.text);
      try {
        const result = await rewards.verify(task, verifierCompletion(generation.text));
        return { taskIndex, labelled: hasVariants(task), generation, reward: result.reward?.value ?? failureReward, result, variant, error: result.reward ? null : result.error ?? result.status };
      } catch (err) {
        return { taskIndex, labelled: hasVariants(task), generation, reward: failureReward, result: null, variant, error: (err as Error).message };
      }
    }),
  );
}

/**
 * The batch as the trainers see it, right-padded to one length L: inputs[b][t] predicts
 * targets[b][t]; mask is 1 exactly where targets[b][t] is a sampled response token.
 * responseStart[b] is the first such t (the prompt's input length − 1).
 */
export interface PackedBatch {
  inputs: number[][];
  targets: number[][];
  mask: number[][];
  responseStart: number[];
  responseLength: number[];
  length: number;
}

export function packRollouts(generations: readonly Generation[], contextLength: number, maxNewTokens: number): PackedBatch {
  const seqs = generations.map((g) => {
    const input = promptInput(g.promptIds, contextLength, maxNewTokens);
    return { seq: [...input, ...g.ids], start: input.length - 1, len: g.ids.length };
  });
  const length = Math.max(1, ...seqs.map((s) => s.seq.length - 1));
  const batch: PackedBatch = { inputs: [], targets: [], mask: [], responseStart: [], responseLength: [], length };
  for (const { seq, start, len } of seqs) {
    const pad = (xs: number[]) => [...xs, ...new Array<number>(length - xs.length).fill(PAD_ID)];
    batch.inputs.push(pad(seq.slice(0, -1)));
    batch.targets.push(pad(seq.slice(1)));
    batch.mask.push(Array.from({ length }, (_, t) => (t >= start && t < start + len ? 1 : 0)));
    batch.responseStart.push(start);
    batch.responseLength.push(len);
  }
  return batch;
}

/** The per-step figures every RL run logs about its samples (metrics.jsonl). */
export function rolloutMetrics(scored: readonly ScoredRollout[]): Record<string, number> {
  const n = Math.max(1, scored.length);
  const mean = (f: (s: ScoredRollout) => number) => scored.reduce((a, s) => a + f(s), 0) / n;
  const ok = scored.filter((s) => s.result?.status === "ok");
  // Patched/vulnerable shares only where known: over the samples of tasks that carry both references.
  const labelled = scored.filter((s) => s.labelled);
  const share = (v: Variant) => labelled.filter((s) => s.variant === v).length / labelled.length;
  return {
    reward_mean: mean((s) => s.reward),
    reward_function: mean((s) => s.result?.reward?.parts.function ?? 0),
    reward_quality: mean((s) => s.result?.reward?.parts.quality ?? 0),
    penalty_share: mean((s) => (s.result?.reward?.parts.penalty !== undefined || !s.result?.reward ? 1 : 0)),
    pass_rate: mean((s) => (s.result && s.result.total > 0 && s.result.passed === s.result.total ? 1 : 0)),
    finding_rate: ok.length === 0 ? 0 : ok.filter((s) => (s.result?.findings.length ?? 0) > 0).length / ok.length,
    ...(labelled.length > 0 ? { patched_share: share("patched"), vulnerable_share: share("vulnerable") } : {}),
    error_share: mean((s) => (s.error ? 1 : 0)),
    response_tokens: mean((s) => s.generation.ids.length),
  };
}
