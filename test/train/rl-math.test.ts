import { describe, expect, it } from "vitest";
import {
  approxKl,
  clippedPolicyLoss,
  clippedValueLoss,
  gae,
  groupAdvantages,
  klK1,
  klK3,
  maskedMean,
  tokenRewards,
  whiten,
} from "../../src/train/rl-math.js";

describe("GAE", () => {
  it("matches a hand-computed three-step episode", () => {
    // γ=0.9, λ=0.5, rewards [0,0,1], values [0.5,0.6,0.7]:
    // δ2 = 1 − 0.7 = 0.3; δ1 = 0 + 0.9·0.7 − 0.6 = 0.03; δ0 = 0.9·0.6 − 0.5 = 0.04
    // A2 = 0.3; A1 = 0.03 + 0.45·0.3 = 0.165; A0 = 0.04 + 0.45·0.165 = 0.11425
    const { advantages, returns } = gae([0, 0, 1], [0.5, 0.6, 0.7], 0.9, 0.5);
    expect(advantages[0]).toBeCloseTo(0.11425, 10);
    expect(advantages[1]).toBeCloseTo(0.165, 10);
    expect(advantages[2]).toBeCloseTo(0.3, 10);
    expect(returns[0]).toBeCloseTo(0.61425, 10);
    expect(returns[2]).toBeCloseTo(1.0, 10);
  });
  it("with γ=λ=1 the return is the sum of future rewards", () => {
    const { returns } = gae([1, 2, 3], [9, 9, 9], 1, 1);
    expect(returns).toEqual([6, 5, 3]);
  });
});

describe("whitening and masking", () => {
  it("gives mean 0 and std 1 over masked positions only", () => {
    // kept values 1, 3 → mean 2, std 1 → −1, +1; the masked 100 becomes 0 and does not shift the mean
    const w = whiten([1, 100, 3], [1, 0, 1], 0);
    expect(w[0]).toBeCloseTo(-1, 10);
    expect(w[1]).toBe(0);
    expect(w[2]).toBeCloseTo(1, 10);
  });
  it("masked mean ignores padding and is 0 for an empty mask", () => {
    expect(maskedMean([2, 4, 1000], [1, 1, 0])).toBe(3);
    expect(maskedMean([5], [0])).toBe(0);
  });
});

describe("clipped objective", () => {
  it("does not clip inside the trust region", () => {
    const { loss, clipped } = clippedPolicyLoss(Math.log(1.1), 0, 2, 0.2);
    expect(loss).toBeCloseTo(-2.2, 10);
    expect(clipped).toBe(false);
  });
  it("clips a positive advantage at 1+ε", () => {
    const { loss, clipped } = clippedPolicyLoss(Math.log(1.5), 0, 2, 0.2);
    expect(loss).toBeCloseTo(-2.4, 10); // min(1.5·2, 1.2·2)
    expect(clipped).toBe(true);
  });
  it("clips a negative advantage at 1−ε but keeps the pessimistic unclipped term above 1+ε", () => {
    expect(clippedPolicyLoss(Math.log(0.5), 0, -1, 0.2).loss).toBeCloseTo(0.8, 10); // min(−0.5, −0.8)
    expect(clippedPolicyLoss(Math.log(1.5), 0, -1, 0.2).loss).toBeCloseTo(1.5, 10); // min(−1.5, −1.2)
  });
  it("value loss takes the larger of clipped and unclipped squared errors", () => {
    // V=1.0, V_old=0.5, R=0: clipped V = 0.7 → ½·max(1, 0.49) = 0.5
    expect(clippedValueLoss(1.0, 0.5, 0, 0.2)).toBeCloseTo(0.5, 10);
    // V=1.0, V_old=0.5, R=2: unclipped (1)² vs clipped (1.3)² → ½·1.69
    expect(clippedValueLoss(1.0, 0.5, 2, 0.2)).toBeCloseTo(0.845, 10);
  });
});

describe("KL estimators", () => {
  it("k1 is the log-ratio and k3 is never negative", () => {
    expect(klK1(-1, -2)).toBe(1);
    // logp=−1, ref=−2: r = e^{−1}; k3 = e^{−1} + 1 − 1 = e^{−1}
    expect(klK3(-1, -2)).toBeCloseTo(Math.exp(-1), 10);
    expect(klK3(-2, -2)).toBe(0);
    expect(klK3(-2, -1)).toBeCloseTo(Math.E - 2, 10);
  });
  it("per-token rewards put −β·k1 on every token and the task reward on the last", () => {
    const r = tokenRewards(1, [-1, -1], [-1.5, -0.5], 0.1);
    expect(r[0]).toBeCloseTo(-0.05, 10);
    expect(r[1]).toBeCloseTo(1 + 0.05, 10);
  });
  it("approx KL is the masked mean of half squared log-ratio", () => {
    expect(approxKl([0, 0, 9], [0.2, -0.4, 0], [1, 1, 0])).toBeCloseTo((0.02 + 0.08) / 2, 10);
  });
});

describe("group advantages", () => {
  it("normalises within each group", () => {
    // group 1: [1, 0] → mean 0.5, std 0.5 → [1, −1]; group 2 all equal → zeros
    const a = groupAdvantages([1, 0, 0.3, 0.3], 2, 0);
    expect(a.slice(0, 2)).toEqual([1, -1]);
    expect(a[2]).toBeCloseTo(0, 10);
    expect(Number.isNaN(groupAdvantages([0.3, 0.3], 2)[0])).toBe(false);
  });
  it("rejects a batch that is not whole groups", () => {
    expect(() => groupAdvantages([1, 2, 3], 2)).toThrow(/multiple of group size/);
  });
});
