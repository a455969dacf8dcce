import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTasks } from "../../src/task/index.js";
import { bothReferencePairs } from "../../src/train/demo-tasks.js";
import { MINI_DIR, runCliAsync, tempDir } from "../bench/helpers.js";
import { runCli } from "../helpers.js";
import { startServe, type Served } from "../server/helpers.js";

/**
 * `securecoderl train ppo|grpo` as a user runs it, on the bundled SecCodePLT mini tasks (no shared
 * data needed): an SFT model from the CLI, RL runs from it with the real sandbox and reward, a
 * kill -9 in the middle of a run that resumes to exactly the unbroken run's weights, and rewards
 * from a `serve` replica (--reward-url) equal to in-process ones.
 */
const TASKS = join(MINI_DIR, "seccodeplt.json");
const dir = tempDir("scrl-train-rl-");
const SFT = join(dir, "sft");

function writeJson(name: string, value: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

function metrics(run: string): Record<string, number>[] {
  return readFileSync(join(run, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, number>);
}

/**
 * A metrics row without its wall-clock figures and its count of programs new to the verdict cache
 * (a resumed run starts with an empty cache): what two runs of the same plan must share.
 */
function withoutTimes(r: Record<string, number>): Record<string, number> {
  const { seconds: _s, sample_s: _a, reward_s: _b, score_s: _d, update_s: _e, tokens_per_s: _c, new_programs: _n, ...rest } = r;
  return rest;
}

beforeAll(async () => {
  const tasks = (await loadTasks(TASKS)).tasks;
  writeFileSync(join(dir, "pairs.jsonl"), bothReferencePairs(tasks).map((p) => JSON.stringify(p)).join("\n") + "\n");
  const config = writeJson("sft.json", { tokenizer: "line", model: { contextLength: 64, dModel: 32, nLayers: 1, nHeads: 2, valueHead: false }, steps: 30, batchSize: 6, evalEvery: 15, valFraction: 0 });
  const r = runCli(["train", "sft", "--data", join(dir, "pairs.jsonl"), "--config", config, "--out", SFT, "--seed", "1"]);
  expect(r.status, r.stderr).toBe(0);
}, 300_000);

describe("securecoderl train grpo", () => {
  it("writes a run folder: config, one metrics row per step, checkpoint, reference, report.html", () => {
    const config = writeJson("grpo.json", { steps: 3, prompts_per_step: 3, group_size: 2, max_new_tokens: 24 });
    const out = join(dir, "grpo");
    const r = runCli(["train", "grpo", "--tasks", TASKS, "--init", SFT, "--out", out, "--config", config, "--seed", "2"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/grpo finished 3 steps/);
    expect(r.stderr).toMatch(/grpo \[#+\] 3\/3 reward/);
    expect(metrics(out).map((m) => m.step)).toEqual([1, 2, 3]);
    const saved = JSON.parse(readFileSync(join(out, "config.json"), "utf8")) as Record<string, unknown>;
    expect(saved).toMatchObject({ algorithm: "grpo", steps: 3, group_size: 2, clip_eps: 0.2, seed: 2, spec: "real" });
    expect(JSON.parse(readFileSync(join(out, "checkpoint", "state.json"), "utf8"))).toMatchObject({ step: 3, extra: { algorithm: "grpo" } });
    expect(existsSync(join(out, "reference", "weights.bin"))).toBe(true);
    expect(readFileSync(join(out, "report.html"), "utf8")).toContain("<svg");
  }, 300_000);

  it("refuses to start without a policy, or with a config key it does not know", () => {
    const none = runCli(["train", "grpo", "--tasks", TASKS, "--out", join(dir, "noinit")]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/give --init DIR/);
    const bad = runCli(["train", "ppo", "--tasks", TASKS, "--init", SFT, "--out", join(dir, "badcfg"), "--config", writeJson("bad.json", { stepz: 3 })]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown config key "stepz"/);
  });
});

describe("securecoderl train ppo collapse guard", () => {
  it("stops a policy that runs away from its reference, says why, and exits 1", () => {
    // An absurd learning rate moves the policy far from the reference within a few updates.
    const config = writeJson("boom.json", { steps: 8, samples_per_step: 6, max_new_tokens: 24, learning_rate: 0.05, collapse_kl: 0.5 });
    const out = join(dir, "boom");
    const r = runCli(["train", "ppo", "--tasks", TASKS, "--init", SFT, "--out", out, "--config", config, "--seed", "0"]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/stopped: step \d: the policy collapsed: its KL to the reference is \d\.\d+ nats\/token \(limit collapse_kl 0\.5\); lower learning_rate/);
    const rows = metrics(out);
    expect(rows.length).toBeLessThan(8);
    expect(rows[rows.length - 1]!.kl).toBeGreaterThan(0.5);
    expect(existsSync(join(out, "report.html"))).toBe(true);
  }, 300_000);
});

describe("securecoderl train ppo after kill -9", () => {
  it("resumes from the last checkpoint and ends with exactly the unbroken run's weights and metrics", async () => {
    const config = writeJson("ppo.json", { steps: 5, samples_per_step: 6, checkpoint_every: 1, max_new_tokens: 24 });
    const args = (out: string) => ["train", "ppo", "--tasks", TASKS, "--init", SFT, "--out", out, "--config", config, "--seed", "3"];
    const unbroken = join(dir, "ppo-unbroken");
    const whole = await runCliAsync(args(unbroken)).done;
    expect(whole.status, whole.stderr).toBe(0);

    const broken = join(dir, "ppo-broken");
    const first = runCliAsync(args(broken));
    const state = join(broken, "checkpoint", "state.json");
    // Wait for a checkpoint past step 1, then kill without warning.
    for (;;) {
      const step = existsSync(state) ? (JSON.parse(readFileSync(state, "utf8")) as { step: number }).step : 0;
      if (step >= 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    first.child.kill("SIGKILL");
    expect((await first.done).signal).toBe("SIGKILL");
    const again = await runCliAsync(args(broken)).done;
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/resuming .* after step [2-5]/);

    expect(readFileSync(join(broken, "checkpoint", "weights.bin")).equals(readFileSync(join(unbroken, "checkpoint", "weights.bin")))).toBe(true);
    expect(readFileSync(join(broken, "checkpoint", "optimizer.bin")).equals(readFileSync(join(unbroken, "checkpoint", "optimizer.bin")))).toBe(true);
    expect(metrics(broken).map(withoutTimes)).toEqual(metrics(unbroken).map(withoutTimes));
  }, 600_000);
});

describe("securecoderl train ppo collapse guard after kill -9", () => {
  it("keeps the run's first reward as its baseline across the resume", async () => {
    const config = writeJson("ppo-guard.json", { steps: 8, samples_per_step: 6, checkpoint_every: 1, max_new_tokens: 24 });
    const out = join(dir, "ppo-guard");
    const args = ["train", "ppo", "--tasks", TASKS, "--init", SFT, "--out", out, "--config", config, "--seed", "5"];
    const first = runCliAsync(args);
    const state = join(out, "checkpoint", "state.json");
    for (;;) {
      const step = existsSync(state) ? (JSON.parse(readFileSync(state, "utf8")) as { step: number }).step : 0;
      if (step >= 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    first.child.kill("SIGKILL");
    expect((await first.done).signal).toBe("SIGKILL");
    // As if the policy had earned far more before the kill than it does now: the resumed run must
    // compare its reward with that history (a fresh baseline would see no drop and run on).
    const rows = metrics(out).map((r) => ({ ...r, reward_mean: 100 }));
    writeFileSync(join(out, "metrics.jsonl"), rows.map((r) => JSON.stringify(r) + "\n").join(""));
    const again = await runCliAsync(args).done;
    expect(again.status, again.stderr).toBe(1);
    expect(again.stderr).toMatch(/resuming .* after step \d/);
    expect(again.stderr).toMatch(/stopped: step \d: the policy collapsed: mean reward .* below the first step's 100\.000/);
  }, 600_000);
});

describe("securecoderl train grpo --reward-url", () => {
  let served: Served | undefined;
  afterAll(async () => {
    await served?.stop();
  });
  it("gets the same rewards from a serve replica as from the in-process verifier", async () => {
    served = await startServe(["--spec", "real"]);
    const config = writeJson("grpo-remote.json", { steps: 2, prompts_per_step: 3, group_size: 2, max_new_tokens: 24 });
    const local = join(dir, "grpo-local");
    const remote = join(dir, "grpo-remote");
    const a = await runCliAsync(["train", "grpo", "--tasks", TASKS, "--init", SFT, "--out", local, "--config", config, "--seed", "4"]).done;
    expect(a.status, a.stderr).toBe(0);
    const b = await runCliAsync(["train", "grpo", "--tasks", TASKS, "--init", SFT, "--out", remote, "--config", config, "--seed", "4", "--reward-url", served.url]).done;
    expect(b.status, b.stderr).toBe(0);
    expect(metrics(remote).map(withoutTimes)).toEqual(metrics(local).map(withoutTimes));
    expect(JSON.parse(readFileSync(join(remote, "config.json"), "utf8"))).toMatchObject({ reward_url: served.url });
  }, 600_000);
});
