/**
 * SFT examples as token sequences: reading a prompt/completion JSONL, splitting it by prompt, and
 * laying each pair out as BOS · prompt · completion · EOS with the loss on the completion and EOS only.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { BOS_ID, EOS_ID, PAD_ID, type Tokenizer } from "../model/tokenizer.js";

export interface SftPair {
  prompt: string;
  completion: string;
}

/** One JSON object per line with string `prompt` and `completion`; a bad line is reported and skipped. */
export function readPairsFile(file: string, warn: (message: string) => void): SftPair[] {
  const pairs: SftPair[] = [];
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (!line.trim()) return;
      try {
        const row = JSON.parse(line) as Partial<SftPair>;
        if (typeof row.prompt !== "string" || typeof row.completion !== "string") throw new Error("needs string fields prompt and completion");
        pairs.push({ prompt: row.prompt, completion: row.completion });
      } catch (err) {
        warn(`${file}:${i + 1}: ${(err as Error).message}, skipped`);
      }
    });
  return pairs;
}

/**
 * Validation split by prompt (hash of seed and prompt), so the same prompt never sits on both sides:
 * validation loss then measures answers to prompts the model has not been trained on.
 */
export function splitPairs(pairs: readonly SftPair[], valFraction: number, seed: number): { train: SftPair[]; validation: SftPair[] } {
  const rank = (p: SftPair) => createHash("sha256").update(`${seed}:${p.prompt}`).digest().readUInt32BE(0) / 2 ** 32;
  const train: SftPair[] = [];
  const validation: SftPair[] = [];
  for (const p of pairs) (rank(p) < valFraction ? validation : train).push(p);
  // A tiny corpus can put every prompt on one side: training needs at least one example.
  if (train.length === 0 && validation.length > 0) train.push(validation.pop()!);
  return { train, validation };
}

/** A pair as model input: `ids` has one token more than the positions trained on (inputs ids[0..n-1], targets ids[1..n]). */
export interface Example {
  ids: number[];
  /** 1 where the target ids[t+1] is a completion token or the final EOS. */
  lossMask: number[];
}

/**
 * Too long for the context: the prompt loses tokens from its start first (its end is what the answer
 * continues), keeping at least one; then the completion is cut at the end.
 */
export function encodePair(tokenizer: Tokenizer, pair: SftPair, contextLength: number): Example {
  let prompt = [BOS_ID, ...tokenizer.encode(pair.prompt)];
  let completion = [...tokenizer.encode(pair.completion), EOS_ID];
  const excess = prompt.length + completion.length - (contextLength + 1);
  if (excess > 0) prompt = prompt.slice(Math.min(excess, prompt.length - 1));
  const room = contextLength + 1 - prompt.length;
  if (completion.length > room) completion = completion.slice(0, room);
  const ids = [...prompt, ...completion];
  const lossMask = ids.slice(1).map((_, t) => (t + 1 >= prompt.length ? 1 : 0));
  return { ids, lossMask };
}

/** A batch padded to its longest example; padding carries mask 0, so it adds nothing to the loss. */
export function padBatch(examples: readonly Example[]): { inputs: number[][]; targets: number[][]; mask: number[][]; T: number } {
  const T = Math.max(...examples.map((e) => e.ids.length - 1));
  const inputs = examples.map((e) => [...e.ids.slice(0, -1), ...new Array<number>(T - (e.ids.length - 1)).fill(PAD_ID)]);
  const targets = examples.map((e) => [...e.ids.slice(1), ...new Array<number>(T - (e.ids.length - 1)).fill(PAD_ID)]);
  const mask = examples.map((e) => [...e.lossMask, ...new Array<number>(T - e.lossMask.length).fill(0)]);
  return { inputs, targets, mask, T };
}
