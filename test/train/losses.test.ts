import { beforeAll, describe, expect, it } from "vitest";
import { initTensorBackend, tf } from "../../src/model/tensor.js";
import { approxKlT, clippedPolicyLossT, clippedValueLossT, klK3T, maskedMeanT } from "../../src/train/losses.js";
import { approxKl, clippedPolicyLoss, clippedValueLoss, klK3, maskedMean } from "../../src/train/rl-math.js";

/**
 * The tensor losses the trainers use, against hand-computed values and against their plain-array
 * twins in rl-math.ts (which test/train/rl-math.test.ts checks by hand).
 */

beforeAll(async () => {
  await initTensorBackend();
});

const scalar = (t: tf.Tensor) => {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
};
const t2 = (rows: number[][]) => tf.tensor2d(rows);

// One batch of two rows; the last position of row 0 and the first of row 1 are prompt/padding (mask 0).
const logp = [[-0.5, -1.0, -2.0], [-0.1, -0.3, -0.7]];
const oldLogp = [[-0.7, -0.8, -9.0], [-3.0, -0.3, -1.2]];
const adv = [[1.0, 2.0, 50.0], [7.0, -1.0, -0.5]];
const mask = [[1, 1, 0], [0, 1, 1]];

describe("masked mean", () => {
  it("averages only masked positions, and an empty mask gives 0, not NaN", () => {
    expect(scalar(maskedMeanT(t2([[1, 100, 3]]), t2([[1, 0, 1]])))).toBeCloseTo(2, 6);
    expect(scalar(maskedMeanT(t2([[5, 6]]), t2([[0, 0]])))).toBe(0);
  });
});

describe("clipped policy loss (tensor)", () => {
  it("matches hand-computed values", () => {
    // Row 0 t0: ρ = e^0.2 = 1.2214 > 1.2, A = 1 → min(1.2214, 1.2) = 1.2, clipped → loss −1.2
    // Row 0 t1: ρ = e^−0.2 = 0.8187, A = 2 → min(1.6375, 1.6375) → −1.6375 (not clipped: inside [0.8, 1.2])
    // Row 1 t1: ρ = 1, A = −1 → 1
    // Row 1 t2: ρ = e^0.5 = 1.6487, A = −0.5 → min(−0.8244, −0.6) = −0.8244 → 0.8244 (unclipped term smaller)
    // mean over 4 tokens: (−1.2 − 1.6375 + 1 + 0.8244) / 4 = −0.25328; clipped on 1 of 4 tokens
    const { loss, clipFraction } = clippedPolicyLossT(t2(logp), t2(oldLogp), t2(adv), t2(mask), 0.2);
    expect(scalar(loss)).toBeCloseTo((-1.2 - 2 * Math.exp(-0.2) + 1 + 0.5 * Math.exp(0.5)) / 4, 5);
    expect(scalar(clipFraction)).toBeCloseTo(0.25, 6);
  });
  it("equals rl-math's clippedPolicyLoss averaged over the mask", () => {
    const per = logp.flatMap((row, b) => row.map((lp, t) => clippedPolicyLoss(lp, oldLogp[b]![t]!, adv[b]![t]!, 0.2)));
    const m = mask.flat();
    const { loss, clipFraction } = clippedPolicyLossT(t2(logp), t2(oldLogp), t2(adv), t2(mask), 0.2);
    expect(scalar(loss)).toBeCloseTo(maskedMean(per.map((p) => p.loss), m), 5);
    expect(scalar(clipFraction)).toBeCloseTo(maskedMean(per.map((p) => (p.clipped ? 1 : 0)), m), 6);
  });
});

describe("clipped value loss (tensor)", () => {
  it("matches hand-computed values and rl-math", () => {
    // V=1.0, V_old=0.5, R=2.0, ε=0.2: unclipped (1−2)² = 1; clipped V = 0.7 → (0.7−2)² = 1.69 → ½·1.69 = 0.845
    // V=0.0, V_old=0.1, R=0.0: unclipped 0; clipped 0.0 (inside ε) → 0
    const values = [[1.0, 0.0]];
    const olds = [[0.5, 0.1]];
    const rets = [[2.0, 0.0]];
    const v = scalar(clippedValueLossT(t2(values), t2(olds), t2(rets), t2([[1, 1]]), 0.2));
    expect(v).toBeCloseTo((0.845 + 0) / 2, 5);
    expect(v).toBeCloseTo(maskedMean([clippedValueLoss(1, 0.5, 2, 0.2), clippedValueLoss(0, 0.1, 0, 0.2)], [1, 1]), 5);
  });
});

describe("KL estimators (tensor)", () => {
  it("k3 matches hand-computed values and rl-math, never negative", () => {
    // logp = −1, ref = −2: r = −1 → e^−1 + 1 − 1 = 0.36788
    const k = klK3T(t2([[-1, -2, -0.5]]), t2([[-2, -1, -0.5]]));
    const vals = Array.from(k.dataSync());
    k.dispose();
    expect(vals[0]).toBeCloseTo(Math.exp(-1), 5);
    expect(vals[1]).toBeCloseTo(klK3(-2, -1), 5);
    expect(vals[2]).toBeCloseTo(0, 6);
    for (const v of vals) expect(v).toBeGreaterThanOrEqual(0);
  });
  it("approximate KL for early stopping matches rl-math", () => {
    const v = scalar(approxKlT(t2(logp), t2(oldLogp), t2(mask)));
    expect(v).toBeCloseTo(approxKl(logp.flat(), oldLogp.flat(), mask.flat()), 5);
    // by hand: ½·(0.04 + 0.04 + 0 + 0.25) / 4 = 0.04125
    expect(v).toBeCloseTo(0.04125, 5);
  });
});
