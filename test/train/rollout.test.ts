import { describe, expect, it } from "vitest";
import { BOS_ID, EOS_ID, PAD_ID } from "../../src/model/tokenizer.js";
import type { Task } from "../../src/task/schema.js";
import { minibatches } from "../../src/train/batch-eval.js";
import { CollapseError, CollapseGuard } from "../../src/train/collapse.js";
import { groupAdvantages } from "../../src/train/rl-math.js";
import { resolveConfig } from "../../src/train/rl-run.js";
import { classifyVariant, packRollouts, rolloutMetrics, verifierCompletion, type ScoredRollout } from "../../src/train/rollout.js";
import { seededRandom } from "../../src/model/random.js";

const task = {
  id: "t1",
  kind: "seccodeplt",
  source: "seccodeplt",
  prompt: "p",
  starterCode: "",
  references: ["\n\ndef f(x):\n    import html\n    return html.escape(x)"],
  tests: [],
  extra: { vulnerableProgram: "\n\ndef f(x):\n    return x" },
} as unknown as Task;

describe("packing rollouts into a masked batch", () => {
  it("puts the mask exactly on the sampled response tokens and pads to one length", () => {
    // Row 0: prompt [7, 8] → input [BOS, 7, 8]; response [20, 21, EOS].
    // Row 1: prompt [9] → input [BOS, 9]; response [22].
    const batch = packRollouts(
      [
        { promptIds: [7, 8], ids: [20, 21, EOS_ID], text: "", finish: "eos" },
        { promptIds: [9], ids: [22], text: "", finish: "length" },
      ],
      64,
      8,
    );
    expect(batch.length).toBe(5);
    expect(batch.inputs[0]).toEqual([BOS_ID, 7, 8, 20, 21]);
    expect(batch.targets[0]).toEqual([7, 8, 20, 21, EOS_ID]);
    // targets 20, 21, EOS sit at t = 2, 3, 4: the response starts at input length − 1.
    expect(batch.mask[0]).toEqual([0, 0, 1, 1, 1]);
    expect(batch.inputs[1]).toEqual([BOS_ID, 9, PAD_ID, PAD_ID, PAD_ID]);
    expect(batch.targets[1]).toEqual([9, 22, PAD_ID, PAD_ID, PAD_ID]);
    expect(batch.mask[1]).toEqual([0, 1, 0, 0, 0]);
    expect(batch.responseStart).toEqual([2, 1]);
    expect(batch.responseLength).toEqual([3, 1]);
  });
  it("an empty response has an all-zero mask (no gradient, never a crash)", () => {
    const batch = packRollouts([{ promptIds: [5], ids: [], text: "", finish: "length" }], 64, 8);
    expect(batch.mask[0]!.every((m) => m === 0)).toBe(true);
  });
});

describe("GRPO group advantages on a batch of two prompts × G=3", () => {
  it("normalises within each group and gives an all-equal group zero", () => {
    // group 1: rewards [1, 0, 0.5] → mean 0.5, std √(1/6) = 0.40825 → [1.2247, −1.2247, 0]
    // group 2: [0.3, 0.3, 0.3] → no signal → zeros
    const a = groupAdvantages([1, 0, 0.5, 0.3, 0.3, 0.3], 3);
    expect(a[0]).toBeCloseTo(0.5 / Math.sqrt(1 / 6), 4);
    expect(a[1]).toBeCloseTo(-0.5 / Math.sqrt(1 / 6), 4);
    expect(a[2]).toBeCloseTo(0, 10);
    expect(a.slice(3)).toEqual([0, 0, 0]);
  });
});

describe("minibatches", () => {
  it("cover every row exactly once, in a seeded order", () => {
    const mbs = minibatches(10, 4, seededRandom(3));
    expect(mbs.length).toBe(4);
    expect(mbs.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(minibatches(10, 4, seededRandom(3))).toEqual(mbs);
  });
});

describe("patched vs vulnerable classification", () => {
  it("matches the reference programs line for line, ignoring blank lines and trailing spaces", () => {
    expect(classifyVariant(task, "def f(x):\n    import html   \n\n    return html.escape(x)\n")).toBe("patched");
    expect(classifyVariant(task, "def f(x):\n    return x\n")).toBe("vulnerable");
    expect(classifyVariant(task, "def f(x):\n    return x + 1\n")).toBe("other");
    expect(classifyVariant(task, "")).toBe("other");
  });
  it("the verifier sees the sample inside the code block the prompt opened", () => {
    expect(verifierCompletion("x = 1\n")).toBe("```python\nx = 1\n```\n");
    expect(verifierCompletion("x = 1")).toBe("```python\nx = 1\n```\n");
  });
  it("rollout metrics count shares over the samples of labelled tasks", () => {
    const mk = (variant: ScoredRollout["variant"], reward: number, labelled = true): ScoredRollout => ({ taskIndex: 0, labelled, generation: { promptIds: [], ids: [1, 2], text: "", finish: "eos" }, reward, result: null, variant, error: null });
    const m = rolloutMetrics([mk("patched", 1), mk("vulnerable", 0.5), mk("patched", 1), mk("other", -1)]);
    expect(m.patched_share).toBe(0.5);
    expect(m.vulnerable_share).toBe(0.25);
    expect(m.reward_mean).toBeCloseTo(0.375, 10);
    // Tasks without a labelled pair: no share is claimed for them.
    const unlabelled = rolloutMetrics([mk("other", 1, false), mk("other", 0, false)]);
    expect("patched_share" in unlabelled).toBe(false);
    expect(rolloutMetrics([mk("patched", 1), mk("other", 0, false)]).patched_share).toBe(1);
  });
});

describe("config overrides", () => {
  it("apply known keys and refuse unknown keys or wrong types", () => {
    const d = { steps: 40, whiten: true };
    expect(resolveConfig(d, { steps: 3 }, { whiten: false })).toEqual({ steps: 3, whiten: false });
    expect(() => resolveConfig(d, { stepz: 3 })).toThrow(/unknown config key "stepz"/);
    expect(() => resolveConfig(d, { steps: "3" })).toThrow(/must be a number/);
  });
});

describe("collapse guard", () => {
  const limits = { maxKl: 2, maxRewardDrop: 0.5 };
  it("lets a converging run through", () => {
    const g = new CollapseGuard(limits);
    for (const [i, r] of [0.3, 0.4, 0.6, 0.8, 0.9].entries()) g.check(i + 1, { reward_mean: r, kl: 0.05 * i, entropy: 0.01 });
  });
  it("stops a run that left its reference far behind, with a message naming the cause", () => {
    const g = new CollapseGuard(limits);
    expect(() => g.check(4, { reward_mean: 0.5, kl: 3.1 })).toThrow(CollapseError);
    expect(() => new CollapseGuard(limits).check(4, { reward_mean: 0.5, kl: 3.1 })).toThrow(/KL to the reference is 3\.100/);
  });
  it("stops a run whose reward fell well below where it started, and one that produced NaN", () => {
    const g = new CollapseGuard(limits);
    // last 3 steps average (0.6 + 0 − 0.5) / 3 = 0.033, 0.567 below the first step's 0.6 (limit 0.5)
    g.check(1, { reward_mean: 0.6 });
    g.check(2, { reward_mean: 0.0 });
    expect(() => g.check(3, { reward_mean: -0.5 })).toThrow(/mean reward .* below the first step's/);
    expect(() => new CollapseGuard(limits).check(1, { policy_loss: Number.NaN })).toThrow(/diverged/);
  });
});
