/**
 * Every engine's run folder, written from the shared datasets, passes the launch checks; and the
 * folder's reward client, run with /usr/bin/python3 against a live `securecoderl serve`, gives
 * exactly the reward `securecoderl verify` gives the same completions.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTrainEngine } from "../../src/cli/train-engine.js";
import { launchChecks, writeRunFolder } from "../../src/train/engines/index.js";
import { loadTasks, readParquetRows, type Task } from "../../src/task/index.js";
import { startServe, type Served } from "../server/helpers.js";
import { runCli } from "../helpers.js";

const SEC = join("..", "shared", "datasets", "seccodeplt-plus", "train.parquet");
const APPS = join("..", "shared", "datasets", "apps-plus", "test.parquet");
const HAVE = existsSync(SEC) && existsSync(APPS);
if (!HAVE) console.warn("test/train-engines: ../shared/datasets absent, dataset tests skipped");
const PER_DATASET = Number(process.env.ENGINE_CHECK_N ?? 3);
const root = mkdtempSync(join(tmpdir(), "scrl-engines-"));

describe.skipIf(!HAVE)("engine run folders", () => {
  it("every engine and algorithm writes a folder that passes every launch check", async () => {
    for (const engine of ["verl", "openrlhf", "trl", "hf"]) {
      for (const alg of ["sft", "ppo", "grpo"] as const) {
        const out = join(root, `${engine}-${alg}`);
        const rc = await runTrainEngine(alg, { engine, model: "Qwen/Qwen2.5-0.5B-Instruct", tasks: [SEC, APPS], limit: 8, out, gpus: 2 });
        expect(rc, `${engine} ${alg}`).toBe(engine === "trl" && alg === "ppo" ? 2 : 0);
      }
    }
  }, 120_000);

  it("a flag the engine version lacks fails the check", async () => {
    const { tasks } = await loadTasks(SEC, { limit: 3 });
    const folder = writeRunFolder({ engine: "openrlhf", algorithm: "grpo", model: "m", tasks, taskFiles: [SEC], out: join(root, "bad") });
    const checks = await launchChecks({ ...folder, engineCommand: folder.engineCommand + " --remote_rm_url http://x" });
    expect(checks.find((c) => c.name.startsWith("flags"))).toMatchObject({ ok: false, detail: "unknown: --remote_rm_url" });
  });
});

describe.skipIf(!HAVE)("reward clients in a run folder equal verify", () => {
  let served: Served;
  const items: { engine: string; row: Record<string, unknown>; completion: string; task: Task; file: string }[] = [];
  beforeAll(async () => {
    const picked: { task: Task; file: string }[] = [];
    for (const file of [SEC, APPS]) {
      const { tasks } = await loadTasks(file, { limit: 40 });
      picked.push(...tasks.filter((t) => t.references.length > 0).sort((a, b) => a.tests.length - b.tests.length).slice(0, PER_DATASET).map((task) => ({ task, file })));
    }
    const completions = (t: Task) => ["```python\n" + t.references[0] + "\n```", "```python\nimport os\nos.system(input())\n```"];
    for (const engine of ["verl", "openrlhf", "trl", "hf"]) {
      const out = join(root, `eq-${engine}`);
      // One task per run folder row, all in the train split (valFraction 0).
      writeRunFolder({ engine: engine as "verl", algorithm: "grpo", model: "m", tasks: picked.map((p) => p.task), taskFiles: [SEC, APPS], out, valFraction: 0 });
      const rows = engine === "verl"
        ? (await readParquetRows(join(out, "data", "train.parquet"))).map((r) => ("row" in r ? r.row : {}))
        : readFileSync(join(out, "data", "train.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      picked.forEach((p, i) => completions(p.task).forEach((completion) => items.push({ engine, row: rows[i]!, completion, task: p.task, file: p.file })));
    }
    served = await startServe(["--workers", "1", "--jobs", "2", "--spec", "real", "--tasks", SEC, APPS]);
  }, 300_000);
  afterAll(async () => {
    await served?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it("verl, OpenRLHF, TRL and hf clients return verify's rewards", () => {
    const expected = new Map<string, number>();
    for (const file of [SEC, APPS]) {
      const mine = items.filter((it) => it.engine === "verl" && it.file === file);
      const samples = join(root, `samples-${file.includes("apps") ? "apps" : "sec"}.jsonl`);
      writeFileSync(samples, mine.map((it) => JSON.stringify({ task_id: it.task.id, completion: it.completion })).join("\n") + "\n");
      const outFile = samples.replace(".jsonl", ".out.jsonl");
      const r = spawnSync(process.execPath, ["bin/securecoderl.js", "verify", "--tasks", file, "--samples", samples, "--out", outFile, "--reward", "real", "--jobs", "2"], { encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      const lines = readFileSync(outFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { reward: { value: number } });
      mine.forEach((it, j) => expected.set(`${it.task.id}\u0000${it.completion}`, lines[j]!.reward.value));
    }
    const input = join(root, "items.json");
    writeFileSync(input, JSON.stringify(items.map(({ engine, row, completion }) => ({ engine, row, completion }))));
    const py = spawnSync("/usr/bin/python3", [join("test", "train-engines", "score_rows.py"), join(root, "eq-verl", "clients"), input], { encoding: "utf8", env: { ...process.env, SECURECODERL_URL: served.url } });
    expect(py.status, py.stderr).toBe(0);
    const got = JSON.parse(py.stdout) as number[];
    expect(got).toEqual(items.map((it) => expected.get(`${it.task.id}\u0000${it.completion}`)));
    expect(new Set(got).size).toBeGreaterThan(1);
  }, 600_000);
});

describe.skipIf(!HAVE)("securecoderl train --engine", () => {
  it("writes a run folder through the installed CLI, which finds its Python clients from the bundle", () => {
    const out = join(root, "cli-hf-sft");
    const r = runCli(["train", "sft", "--engine", "hf", "--model", "Qwen/Qwen2.5-0.5B-Instruct", "--tasks", SEC, "--limit", "4", "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(out, "clients", "securecoderl_client.py"))).toBe(true);
    expect(spawnSync("bash", ["-n", join(out, "run.sh")]).status).toBe(0);
  }, 120_000);
});
