import { describe, expect, it } from "vitest";
import { CollapseError, CollapseGuard } from "../../src/train/collapse.js";

/** The collapse guard's rules, and its baseline across a resume (the CLI test kills a real run). */
const limits = { maxKl: 2, maxRewardDrop: 0.5 };

describe("collapse guard", () => {
  it("stops on a KL past the limit, or on a non-finite loss", () => {
    const g = new CollapseGuard(limits);
    expect(() => g.check(1, { kl: 2.5, reward_mean: 0.5 })).toThrow(/KL to the reference is 2\.500 nats\/token \(limit collapse_kl 2\)/);
    expect(() => new CollapseGuard(limits).check(1, { policy_loss: Number.NaN })).toThrow(CollapseError);
  });

  it("stops when the last 3 steps' mean reward falls more than the limit below the first step's", () => {
    const g = new CollapseGuard(limits);
    g.check(1, { reward_mean: 0.8 });
    g.check(2, { reward_mean: 0.5 });
    g.check(3, { reward_mean: 0.4 }); // mean 0.567: 0.233 below 0.8
    // Window (0.5, 0.4, −0.1): mean 0.267, 0.533 below 0.8.
    expect(() => g.check(4, { reward_mean: -0.1 })).toThrow(/mean reward 0\.267 over the last 3 steps is 0\.533 below the first step's 0\.800 \(limit collapse_reward_drop 0\.5\)/);
  });

  it("a converging policy that keeps its reward is not stopped", () => {
    const g = new CollapseGuard(limits);
    for (let s = 1; s <= 20; s++) g.check(s, { reward_mean: 0.6 + s * 0.01, kl: 0.05, entropy: 0.01 });
  });

  it("after a resume, measures against the run's first step, not the first step after the resume", () => {
    const history = [{ step: 1, reward_mean: 0.9 }, { step: 2, reward_mean: 0.6 }, { step: 3, reward_mean: 0.3 }];
    // Without the history, a fresh guard would take the fallen reward as its baseline.
    const fresh = new CollapseGuard(limits);
    for (const [i, r] of [0.2, 0.2, 0.2].entries()) fresh.check(4 + i, { reward_mean: r });
    const resumed = new CollapseGuard(limits);
    resumed.replay(history);
    // Window (0.6, 0.3, 0.2): mean 0.367, 0.533 below the first step's 0.9.
    expect(() => resumed.check(4, { reward_mean: 0.2 })).toThrow(/below the first step's 0\.900/);
  });
});
