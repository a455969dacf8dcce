/**
 * `securecoderl sft-data` through the CLI on real tasks: the references judged by the Verifier when no
 * run is given, a run's results.jsonl with a malformed line, and the split never sharing a task.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadTasks, readParquetRows } from "../../src/task/index.js";
import { runCli } from "../helpers.js";

const SEC = join("..", "shared", "datasets", "seccodeplt-plus", "train.parquet");
const HAVE = existsSync(SEC);
if (!HAVE) console.warn("test/train-engines/sft-data: ../shared/datasets absent, sft-data tests skipped");
const root = mkdtempSync(join(tmpdir(), "scrl-sftdata-"));

interface Stats {
  train_samples: number;
  validation_samples: number;
  tasks_in_both_splits: number;
}

describe.skipIf(!HAVE)("securecoderl sft-data", () => {
  it("judges the task references when no run is given, and splits by task", async () => {
    const out = join(root, "refs");
    const r = runCli(["sft-data", "--tasks", SEC, "--limit", "12", "--jobs", "2", "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("Unique prompts for PPO");
    const stats = JSON.parse(readFileSync(join(out, "stats.json"), "utf8")) as Stats;
    expect(stats.tasks_in_both_splits).toBe(0);
    expect(stats.train_samples + stats.validation_samples).toBeGreaterThan(0);
    const trainLines = readFileSync(join(out, "train.chat.jsonl"), "utf8").trim().split("\n");
    expect(trainLines.length).toBe(stats.train_samples);
    const rows = await readParquetRows(join(out, "train.parquet"));
    expect(rows.length).toBe(stats.train_samples);
  }, 180_000);

  it("skips a malformed results line with a per-line message and keeps the rest", async () => {
    const run = join(root, "run");
    mkdirSync(run, { recursive: true });
    const [task] = (await loadTasks(SEC, { limit: 1 })).tasks;
    const completion = "```python\n" + task!.references[0]! + "\n```";
    const line = { task_id: task!.id, dataset: "seccodeplt-plus", status: "ok", compiled: true, passed: 1, total: 1, reward: { value: 0.9 }, completion, code: task!.references[0] };
    writeFileSync(join(run, "results.jsonl"), JSON.stringify(line) + "\n{not json\n");
    const out = join(root, "from-run");
    const r = runCli(["sft-data", "--run", run, "--tasks", SEC, "--limit", "12", "--out", out, "--val-fraction", "0"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("not JSON, skipped");
    expect(r.stdout).toContain("skipped 1 result line");
    const stats = JSON.parse(readFileSync(join(out, "stats.json"), "utf8")) as Stats;
    expect(stats.train_samples).toBe(1);
    expect(stats.validation_samples).toBe(0);
  }, 180_000);
});
