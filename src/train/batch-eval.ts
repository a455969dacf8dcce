/**
 * Moving a packed rollout batch between arrays and tensors, and the no-gradient passes the
 * trainers make over it before updating (behaviour log-probs, values, reference log-probs).
 *
 * A small policy repeats itself: late in a demonstration run most samples of a task are the same
 * program, token for token. Identical rows give identical outputs, and every loss and metric here
 * is a masked mean over tokens, so a row that occurs n times is computed once with its mask
 * weighted by n: the same numbers (up to float summation order) for less work.
 */
import { tokenEntropy, tokenLogProbs, type Gpt } from "../model/gpt.js";
import { tf } from "../model/tensor.js";
import { klK3T, maskedMeanT } from "./losses.js";
import type { PackedBatch } from "./rollout.js";

export interface BatchTensors {
  inputs: tf.Tensor2D;
  targets: tf.Tensor2D;
  /** 1 on response tokens, times the row's weight (its count, when identical rows were merged). */
  mask: tf.Tensor2D;
}

/** Rows `rows` (default all) of the batch as tensors, each row's mask scaled by its weight (default 1). */
export function batchTensors(batch: PackedBatch, rows?: readonly number[], weights?: readonly number[]): BatchTensors {
  const pick = <T>(xs: T[][]) => (rows ? rows.map((r) => xs[r]!) : xs);
  const n = rows ? rows.length : batch.inputs.length;
  const mask = weights ? pick(batch.mask).map((row, i) => row.map((m) => m * weights[i]!)) : pick(batch.mask);
  return {
    inputs: tf.tensor2d(pick(batch.inputs), [n, batch.length], "int32"),
    targets: tf.tensor2d(pick(batch.targets), [n, batch.length], "int32"),
    mask: tf.tensor2d(mask, [n, batch.length], "float32"),
  };
}

/**
 * Merges rows with equal keys: the first row of each key, and how many rows share it. Callers key
 * a row by everything its loss reads (tokens, and per-token advantages, returns, ...), so merged
 * rows are exactly identical.
 */
export function mergeIdentical(rows: readonly number[], key: (row: number) => string): { rows: number[]; weights: number[] } {
  const index = new Map<string, number>();
  const out = { rows: [] as number[], weights: [] as number[] };
  for (const r of rows) {
    const k = key(r);
    const at = index.get(k);
    if (at === undefined) {
      index.set(k, out.rows.length);
      out.rows.push(r);
      out.weights.push(1);
    } else out.weights[at]!++;
  }
  return out;
}

/** A row's tokens as a key (inputs and targets: the whole sequence, padding included). */
export function tokenKey(batch: PackedBatch, row: number): string {
  return `${batch.inputs[row]!.join(",")}|${batch.targets[row]!.join(",")}`;
}

/** Rows of a [B][T] array as a tensor. */
export function rowsTensor(xs: readonly number[][], rows: readonly number[], length: number): tf.Tensor2D {
  return tf.tensor2d(rows.map((r) => xs[r]!), [rows.length, length], "float32");
}

export function disposeBatch(t: BatchTensors): void {
  t.inputs.dispose();
  t.targets.dispose();
  t.mask.dispose();
}

function to2d(t: tf.Tensor): number[][] {
  return t.arraySync() as number[][];
}

export interface BatchScores {
  /** log π_old(y_t) of the sampled tokens, [B][T]. */
  logp: number[][];
  /** log π_ref(y_t), [B][T]. */
  refLogp: number[][];
  /** V_old(s_t), [B][T] (null without a value head). */
  values: number[][] | null;
  /** Mean entropy of the policy over response tokens. */
  entropy: number;
  /** Mean per-token k3 KL of the policy to the reference over response tokens. */
  kl: number;
}

/**
 * The behaviour policy's and the reference's view of the sampled tokens, before any update. Each
 * distinct sequence is run once (weighted by its count in the means); its rows share the results.
 */
export function scoreBatch(policy: Gpt, reference: Gpt, batch: PackedBatch): BatchScores {
  const all = batch.inputs.map((_, r) => r);
  const unique = mergeIdentical(all, (r) => tokenKey(batch, r));
  const slot = new Map(unique.rows.map((r, i) => [tokenKey(batch, r), i]));
  const t = batchTensors(batch, unique.rows, unique.weights);
  const [logpT, valuesT, refT, entT, klT] = tf.tidy(() => {
    const out = policy.apply(t.inputs);
    const logp = tokenLogProbs(out.logits, t.targets);
    const refLogp = tokenLogProbs(reference.apply(t.inputs).logits, t.targets);
    const entropy = maskedMeanT(tokenEntropy(out.logits), t.mask);
    const kl = maskedMeanT(klK3T(logp, refLogp), t.mask);
    return [logp, out.values ?? tf.zeros([1, 1]), refLogp, entropy, kl] as const;
  });
  // Back to one row per sample (copies, so no two samples share an array a trainer might write to).
  const spread = (xs: number[][]) => all.map((r) => [...xs[slot.get(tokenKey(batch, r))!]!]);
  const scores: BatchScores = {
    logp: spread(to2d(logpT)),
    refLogp: spread(to2d(refT)),
    values: policy.config.valueHead ? spread(to2d(valuesT)) : null,
    entropy: entT.dataSync()[0]!,
    kl: klT.dataSync()[0]!,
  };
  for (const x of [logpT, valuesT, refT, entT, klT]) x.dispose();
  disposeBatch(t);
  return scores;
}

/** Shuffled row indices split into `count` minibatches (Fisher-Yates on the step's random stream). */
export function minibatches(n: number, count: number, random: () => number): number[][] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const size = Math.ceil(n / Math.max(1, count));
  const out: number[][] = [];
  for (let i = 0; i < n; i += size) out.push(order.slice(i, i + size));
  return out;
}

/**
 * Gradients of `loss` with respect to the policy's variables (keyed by tf variable name, as Adam
 * takes them), plus the loss value. Side metrics the loss function tf.keep()s survive.
 */
export function gradients(policy: Gpt, loss: () => tf.Scalar): { value: number; grads: Record<string, tf.Tensor> } {
  const { value, grads } = tf.variableGrads(loss, policy.variables());
  const v = value.dataSync()[0]!;
  value.dispose();
  return { value: v, grads };
}
