import { beforeAll, describe, expect, it } from "vitest";
import { Gpt, tokenLogProbs } from "../../src/model/gpt.js";
import { initTensorBackend, tf } from "../../src/model/tensor.js";
import { batchTensors, disposeBatch, mergeIdentical, rowsTensor, scoreBatch, tokenKey } from "../../src/train/batch-eval.js";
import { clippedPolicyLossT } from "../../src/train/losses.js";
import type { PackedBatch } from "../../src/train/rollout.js";

/**
 * The trainers compute a sample that occurs n times once, with its mask weighted by n. That must
 * give the loss, the gradients and the scores of the unmerged batch.
 */
beforeAll(async () => {
  await initTensorBackend();
});

// Four rows, rows 0 and 2 identical, row 3 differs from row 1 only in its last token.
const seqs = [
  [1, 5, 6, 7, 8],
  [1, 5, 9, 9, 2],
  [1, 5, 6, 7, 8],
  [1, 5, 9, 9, 3],
];
const batch: PackedBatch = {
  inputs: seqs.map((s) => s.slice(0, -1)),
  targets: seqs.map((s) => s.slice(1)),
  mask: seqs.map(() => [0, 1, 1, 1]),
  responseStart: seqs.map(() => 1),
  responseLength: seqs.map(() => 3),
  length: 4,
};
const adv = [
  [0, 0.5, -1, 2],
  [0, 1, 1, 1],
  [0, 0.5, -1, 2],
  [0, -2, 0.3, 1],
];

describe("mergeIdentical", () => {
  it("keeps the first row of each key and counts the others", () => {
    expect(mergeIdentical([0, 1, 2, 3], (r) => tokenKey(batch, r))).toEqual({ rows: [0, 1, 3], weights: [2, 1, 1] });
    expect(mergeIdentical([3, 2, 0], (r) => tokenKey(batch, r))).toEqual({ rows: [3, 2], weights: [1, 2] });
  });

  it("gives the unmerged loss and gradients", () => {
    const model = Gpt.create({ vocabSize: 12, contextLength: 8, dModel: 16, nLayers: 1, nHeads: 2, valueHead: false }, 7);
    const oldLogp = batch.inputs.map((row) => row.map((_, t) => -0.5 - 0.1 * t));
    const lossOf = (rows: number[], weights?: number[]) => {
      const mb = batchTensors(batch, rows, weights);
      const old = rowsTensor(oldLogp, rows, batch.length);
      const a = rowsTensor(adv, rows, batch.length);
      const { value, grads } = tf.variableGrads(() => {
        const logp = tokenLogProbs(model.apply(mb.inputs).logits, mb.targets);
        return clippedPolicyLossT(logp, old, a, mb.mask, 0.2).loss;
      }, model.variables());
      const out = { loss: value.dataSync()[0]!, grads: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, Array.from(g.dataSync())])) };
      for (const t of [value, old, a, ...Object.values(grads)]) t.dispose();
      disposeBatch(mb);
      return out;
    };
    const full = lossOf([0, 1, 2, 3]);
    const merged = mergeIdentical([0, 1, 2, 3], (r) => `${tokenKey(batch, r)}|${adv[r]!.join(",")}`);
    expect(merged.rows).toHaveLength(3);
    const fewer = lossOf(merged.rows, merged.weights);
    expect(fewer.loss).toBeCloseTo(full.loss, 5);
    for (const [k, g] of Object.entries(full.grads)) {
      const h = fewer.grads[k]!;
      for (let i = 0; i < g.length; i++) expect(h[i]!).toBeCloseTo(g[i]!, 5);
    }
    model.dispose();
  });

  it("scoreBatch gives every row, duplicates included, its own copy of the scores", () => {
    const policy = Gpt.create({ vocabSize: 12, contextLength: 8, dModel: 16, nLayers: 1, nHeads: 2, valueHead: true }, 3);
    const reference = Gpt.create({ vocabSize: 12, contextLength: 8, dModel: 16, nLayers: 1, nHeads: 2, valueHead: false }, 4);
    const s = scoreBatch(policy, reference, batch);
    expect(s.logp).toHaveLength(4);
    expect(s.logp[2]).toEqual(s.logp[0]);
    expect(s.logp[2]).not.toBe(s.logp[0]);
    expect(s.values![2]).toEqual(s.values![0]);
    // Against a plain pass over all four rows.
    const t = batchTensors(batch);
    const logp = tokenLogProbs(policy.apply(t.inputs).logits, t.targets).arraySync() as number[][];
    const ref = tokenLogProbs(reference.apply(t.inputs).logits, t.targets).arraySync() as number[][];
    disposeBatch(t);
    for (let b = 0; b < 4; b++)
      for (let i = 0; i < 4; i++) {
        expect(s.logp[b]![i]!).toBeCloseTo(logp[b]![i]!, 5);
        expect(s.refLogp[b]![i]!).toBeCloseTo(ref[b]![i]!, 5);
      }
    // The k3 KL mean counts row 0's sequence twice, as the unmerged batch does.
    const k3 = (lp: number, rp: number) => Math.exp(rp - lp) - (rp - lp) - 1;
    let sum = 0;
    for (let b = 0; b < 4; b++) for (let i = 1; i < 4; i++) sum += k3(logp[b]![i]!, ref[b]![i]!);
    expect(s.kl).toBeCloseTo(sum / 12, 5);
    policy.dispose();
    reference.dispose();
  });
});
