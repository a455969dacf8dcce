import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "../helpers.js";

/**
 * `securecoderl train sft` through the real CLI on small real files: the loss falls, a killed run
 * resumes where its last checkpoint left it, and the trained model is benchmarked by `bench`.
 */
let tmp: string;
let data: string;
let config: string;

/** A corpus a 1-layer model can learn in a few dozen steps: which return line follows which def line. */
function corpus(): string {
  const rows: string[] = [];
  for (let i = 0; i < 36; i++) {
    const secure = i % 2 === 0;
    rows.push(
      JSON.stringify({
        prompt: `def lookup_${i % 12}(db, name):\n`,
        completion: secure ? `    return db.execute("SELECT * FROM t WHERE n = ?", (name,))\n` : `    return db.execute(f"SELECT * FROM t WHERE n = '{name}'")\n`,
      }),
    );
  }
  return rows.join("\n") + "\n";
}

function metrics(dir: string): Record<string, number>[] {
  return readFileSync(join(dir, "metrics.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, number>);
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "scrl-sft-"));
  data = join(tmp, "data.jsonl");
  writeFileSync(data, corpus());
  config = join(tmp, "config.json");
  writeFileSync(config, JSON.stringify({ tokenizer: "line", steps: 60, evalEvery: 10, batchSize: 8, lr: 0.01, valFraction: 0.25, model: { contextLength: 8, dModel: 32, nLayers: 1, nHeads: 2 } }));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("train sft", () => {
  it("lowers training and validation loss on a tiny corpus, writing metrics, config and the best model", () => {
    const out = join(tmp, "run");
    const r = runCli(["train", "sft", "--data", data, "--out", out, "--config", config, "--seed", "1"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/best validation loss \d/);
    const rows = metrics(out);
    expect(rows.map((row) => row.step)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const val = rows.filter((row) => row.val_loss !== undefined).map((row) => row.val_loss!);
    expect(val.length).toBe(6);
    expect(val[val.length - 1]!).toBeLessThan(val[0]! * 0.8);
    expect(rows[rows.length - 1]!.loss).toBeLessThan(rows[0]!.loss * 0.5);
    const saved = JSON.parse(readFileSync(join(out, "config.json"), "utf8")) as Record<string, unknown>;
    expect(saved).toMatchObject({ algorithm: "sft", tokenizer: "line", steps: 60, seed: 1 });
    expect(existsSync(join(out, "model", "weights.bin"))).toBe(true);
    expect(existsSync(join(out, "checkpoint", "optimizer.bin"))).toBe(true);
  });

  it("--init starts from a trained run's best model with a fresh optimizer", async () => {
    const first = metrics(join(tmp, "run")).filter((row) => row.val_loss !== undefined);
    const out = join(tmp, "from-init");
    const r = runCli(["train", "sft", "--data", data, "--out", out, "--config", config, "--seed", "1", "--init", join(tmp, "run")]);
    expect(r.status, r.stderr).toBe(0);
    const again = metrics(out).filter((row) => row.val_loss !== undefined);
    // Its first evaluation already sits near where the first run ended, far below where that one began.
    expect(again[0]!.val_loss!).toBeLessThan(first[0]!.val_loss!);
    expect(again[0]!.loss).toBeLessThan(metrics(join(tmp, "run"))[0]!.loss * 0.5);
    // AdamW counted only this run's 60 updates: the first run's moments were not carried over.
    const { loadTensors } = await import("../../src/model/checkpoint.js");
    const optimizer = await loadTensors(join(out, "checkpoint", "optimizer.bin"));
    expect(optimizer.step!.dataSync()[0]).toBe(60);
  });

  it("--tasks trains on the task references judged by the Verifier, as sft-data selects them", () => {
    const small = join(tmp, "tasks.json");
    writeFileSync(small, JSON.stringify({ tokenizer: "line", steps: 4, evalEvery: 2, minReward: 0, model: { contextLength: 64, dModel: 16, nLayers: 1, nHeads: 2 } }));
    const out = join(tmp, "from-tasks");
    const r = runCli(["train", "sft", "--tasks", join(REPO_ROOT, "bench-data", "mini", "seccodeplt.json"), "--out", out, "--config", small]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/3 references judged, 3 kept/);
    expect(r.stderr).toMatch(/3 train \/ 0 validation examples, line tokens/);
    expect(metrics(out).map((row) => row.step)).toEqual([1, 2, 3, 4]);
    // The line vocabulary was built from the references, so a reference line decodes back to itself.
    const tokenizer = JSON.parse(readFileSync(join(out, "model", "tokenizer.json"), "utf8")) as { kind: string; lines: string[] };
    expect(tokenizer.kind).toBe("line");
    expect(tokenizer.lines).toContain("```python\n");
  });

  it("reports bad input clearly: an unknown config key, a missing data source, a bad JSONL line", () => {
    const bad = join(tmp, "bad.json");
    writeFileSync(bad, JSON.stringify({ stepz: 3 }));
    const r1 = runCli(["train", "sft", "--data", data, "--out", join(tmp, "bad1"), "--config", bad]);
    expect(r1.status).toBe(2);
    expect(r1.stderr).toMatch(/unknown sft config key "stepz"/);
    const r2 = runCli(["train", "sft", "--out", join(tmp, "bad2")]);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/--data FILE .* or --tasks PATH/);
    const mixed = join(tmp, "mixed.jsonl");
    writeFileSync(mixed, "not json\n" + corpus());
    const small = join(tmp, "small.json");
    writeFileSync(small, JSON.stringify({ tokenizer: "line", steps: 2, evalEvery: 1, model: { contextLength: 8, dModel: 8, nLayers: 1, nHeads: 1 } }));
    const r3 = runCli(["train", "sft", "--data", mixed, "--out", join(tmp, "bad3"), "--config", small]);
    expect(r3.status, r3.stderr).toBe(0);
    expect(r3.stderr).toMatch(/mixed\.jsonl:1: .*skipped/);
  });

  it("resumes a run killed with SIGKILL from its last checkpoint and ends with the same weights as an unbroken run", async () => {
    const long = join(tmp, "long.json");
    writeFileSync(long, JSON.stringify({ tokenizer: "line", steps: 300, evalEvery: 5, patience: 1000, model: { contextLength: 8, dModel: 16, nLayers: 1, nHeads: 2 } }));
    const killed = join(tmp, "killed");
    const args = ["train", "sft", "--data", data, "--config", long, "--seed", "3"];
    const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "securecoderl.js"), ...args, "--out", killed], { stdio: "ignore" });
    const state = join(killed, "checkpoint", "state.json");
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (existsSync(state)) {
          clearInterval(timer);
          child.kill("SIGKILL");
          resolve();
        }
      }, 20);
      child.on("exit", () => {
        clearInterval(timer);
        if (!existsSync(state)) reject(new Error("the run ended before its first checkpoint"));
        resolve();
      });
    });
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.on("exit", r)));
    const stoppedAt = (JSON.parse(readFileSync(state, "utf8")) as { step: number }).step;
    expect(stoppedAt).toBeLessThan(300);
    const resumed = runCli([...args, "--out", killed]);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming ${killed} at step ${stoppedAt}`);
    // Every step logged exactly once: rows written after the last checkpoint were dropped and rerun.
    expect(metrics(killed).map((row) => row.step)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    const straight = join(tmp, "straight");
    expect(runCli([...args, "--out", straight]).status).toBe(0);
    expect(readFileSync(join(killed, "checkpoint", "weights.bin")).equals(readFileSync(join(straight, "checkpoint", "weights.bin")))).toBe(true);
  });

  it("bench --model local:DIR generates from the trained checkpoint and scores it like any model", () => {
    const out = join(tmp, "run");
    const bench = join(tmp, "bench");
    const r = runCli(["bench", "--tasks", join(REPO_ROOT, "bench-data", "mini", "seccodeplt.json"), "--model", `local:${out}`, "--n", "2", "--max-tokens", "6", "--out", bench]);
    expect(r.status, r.stderr).toBe(0);
    const results = readFileSync(join(bench, "results.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { model: string; status: string; completion?: string });
    expect(results.length).toBe(6);
    expect(new Set(results.map((x) => x.model))).toEqual(new Set(["local:run"]));
    expect(results.every((x) => x.status !== "error" && typeof x.completion === "string")).toBe(true);
  });
});
