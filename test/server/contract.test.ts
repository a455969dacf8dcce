import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTasks, type Task } from "../../src/task/index.js";
import { stringifyWireJson } from "../../src/verify/index.js";
import { MINI_DIR, runCliAsync, tempDir } from "../bench/helpers.js";
import { datasetPath, REPO_ROOT } from "../helpers.js";
import { runPython, startServe, type Served } from "./helpers.js";

/**
 * Contract tests: each engine's request, byte for byte as engines.md gives it, sent by a Python
 * client (test/server/contract/engines.py, run with /usr/bin/python3) to a live `securecoderl
 * serve`. Every reward must equal what `securecoderl verify` gives the same completion, exactly.
 * The bundled mini tasks always run; APPS+ and SecCodePLT+ tasks join when ../shared/datasets is
 * there (skipped visibly otherwise).
 */

const ENGINES = join(REPO_ROOT, "test", "server", "contract", "engines.py");
const TIMEOUT_S = "1";
const CHATML = (user: string) => `<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n${user}<|im_end|>\n<|im_start|>assistant\n`;

interface Case {
  tasksPath: string;
  dataset: string;
  task: Task;
  completion: string;
  what: string;
}

interface Expected {
  reward: number;
  compiled: boolean;
  passed: number;
  total: number;
}

const fence = (code: string) => `Here is the solution.\n\n\`\`\`python\n${code}\n\`\`\``;

/** A reference solution, a wrong answer, a syntax error and an infinite loop for a task with an entry point. */
function generated(task: Task): Array<{ completion: string; what: string }> {
  const entry = task.entryPoint!;
  const isMethod = /class\s+Solution/.test(task.starterCode);
  const body = (lines: string) => (isMethod ? `class Solution:\n    def ${entry}(self, *args, **kwargs):\n${lines.replace(/^/gm, "    ")}` : `def ${entry}(*args, **kwargs):\n${lines}`);
  return [
    { completion: fence(task.references[0]!), what: "reference" },
    { completion: fence(body("    return 'certainly not the answer'")), what: "wrong answer" },
    { completion: fence(`${task.references[0]!}\ndef broken(:\n    pass`), what: "syntax error" },
    { completion: fence(body("    while True:\n        pass")), what: "infinite loop" },
  ];
}

async function casesFrom(path: string, pick: (tasks: Task[]) => Array<{ task: Task; completion: string; what: string }>): Promise<Case[]> {
  const loaded = await loadTasks(path);
  return pick(loaded.tasks).map((c) => ({ ...c, tasksPath: path, dataset: loaded.dataset }));
}

const root = tempDir("scrl-contract-");
let served: Served;
let cases: Case[] = [];
const expected: Expected[] = [];

beforeAll(async () => {
  const miniSamples = readFileSync(join(MINI_DIR, "samples.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { task_id: string; completion: string; note: string });
  for (const file of ["apps.jsonl", "seccodeplt.json", "safesql.jsonl"]) {
    cases.push(...(await casesFrom(join(MINI_DIR, file), (tasks) => miniSamples.flatMap((s) => tasks.filter((t) => t.id === s.task_id).map((task) => ({ task, completion: s.completion, what: s.note }))))));
  }
  const apps = datasetPath("apps-plus/test.parquet");
  const sec = datasetPath("seccodeplt-plus/train.parquet");
  // Two Codewars functions and one LeetCode class, and three SecCodePLT+ tasks of different CWEs.
  if (apps) {
    cases.push(...(await casesFrom(apps, (tasks) => {
      // Few tests each: an infinite loop costs a timeout per test.
      const usable = tasks.filter((t) => t.references.length > 0).sort((a, b) => a.tests.length - b.tests.length);
      const leetcode = usable.find((t) => /class\s+Solution/.test(t.starterCode))!;
      return [...usable.filter((t) => !/class\s+Solution/.test(t.starterCode)).slice(0, 2), leetcode].flatMap((task) => generated(task).map((g) => ({ task, ...g })));
    })));
  }
  if (sec) {
    cases.push(...(await casesFrom(sec, (tasks) => {
      const byCwe = new Map<string, Task>();
      for (const t of tasks) if (!byCwe.has(t.cwe ?? "") && byCwe.size < 3) byCwe.set(t.cwe ?? "", t);
      return [...byCwe.values()].flatMap((task) => generated(task).map((g) => ({ task, ...g })));
    })));
  }
  const paths = [...new Set(cases.map((c) => c.tasksPath))];

  // What `securecoderl verify` says, one run per task file, under the same settings as the service.
  await Promise.all(
    paths.map(async (p, k) => {
      const mine = cases.map((c, i) => ({ c, i })).filter(({ c }) => c.tasksPath === p);
      const samples = join(root, `samples-${k}.jsonl`);
      const out = join(root, `verify-${k}.jsonl`);
      writeFileSync(samples, mine.map(({ c }) => JSON.stringify({ task_id: c.task.id, completion: c.completion })).join("\n") + "\n");
      const r = await runCliAsync(["verify", "--tasks", p, "--samples", samples, "--out", out, "--reward", "real", "--timeout", TIMEOUT_S, "--jobs", "2"]).done;
      if (r.status !== 0) throw new Error(`verify failed: ${r.stderr}`);
      const lines = readFileSync(out, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
      mine.forEach(({ i }, j) => {
        const v = lines[j];
        expected[i] = { reward: v.reward.value, compiled: v.compiled, passed: v.passed, total: v.total };
      });
    }),
  );
  served = await startServe(["--workers", "1", "--jobs", "2", "--timeout", TIMEOUT_S, "--spec", "real", "--tasks", ...paths]);
}, 900_000);

afterAll(async () => {
  await served?.stop();
  rmSync(root, { recursive: true, force: true });
});

function write(name: string, value: unknown): string {
  const path = join(root, name);
  writeFileSync(path, stringifyWireJson(value));
  return path;
}

function engines(mode: string, file: string): any {
  const r = runPython(ENGINES, [mode, served.url, file], { SECURECODERL_URL: served.url });
  if (r.status !== 0) throw new Error(`engines.py ${mode} failed (${r.status}):\n${r.stderr}`);
  return r.json();
}

const rewardsExpected = () => expected.map((e) => e.reward);

describe("engine contracts against securecoderl verify", () => {
  it("covers the four documented behaviours on every dataset it has", () => {
    expect(cases.length).toBeGreaterThanOrEqual(22);
    const whats = new Set(cases.map((c) => c.what));
    if (cases.some((c) => c.dataset !== "apps" && c.dataset !== "seccodeplt" && c.dataset !== "safesql")) {
      for (const w of ["reference", "wrong answer", "syntax error", "infinite loop"]) expect(whats.has(w)).toBe(true);
    }
    // The verdicts themselves: a reference passes, a syntax error does not compile, a loop earns no function reward.
    cases.forEach((c, i) => {
      const e = expected[i]!;
      if (c.what === "reference") expect(e.passed, `${c.dataset}/${c.task.id} reference`).toBe(e.total);
      if (c.what === "syntax error") expect(e.compiled, `${c.dataset}/${c.task.id}`).toBe(false);
      if (c.what === "syntax error") expect(e.reward).toBe(-0.5);
      if (c.what === "infinite loop") expect(e.passed).toBe(0);
    });
  });

  it("OpenRLHF v0.8-v0.10: one micro-batch a request; rewards equal verify's", { timeout: 600_000 }, () => {
    const samples = cases.map((c) => ({ prompt: CHATML(c.task.prompt), query: `${CHATML(c.task.prompt)}${c.completion}<|im_end|>`, label: stringifyWireJson(c.task) }));
    const out = engines("openrlhf-batch", write("openrlhf.json", samples));
    expect(out.rewards).toEqual(rewardsExpected());
    expect(out.scores).toEqual(rewardsExpected().map((r) => Math.min(1, Math.max(0, r))));
    expect(out.extra_logs.compiled).toEqual(expected.map((e) => (e.compiled ? 1 : 0)));
    for (const list of Object.values(out.extra_logs) as number[][]) expect(list).toHaveLength(cases.length);
  });

  it("OpenRLHF v0.11: one sample a request, many in flight; and the reward_func file", { timeout: 600_000 }, () => {
    const samples = cases.map((c) => ({ prompt: CHATML(c.task.prompt), query: `${CHATML(c.task.prompt)}${c.completion}<|im_end|><|endoftext|>`, label: stringifyWireJson(c.task) }));
    const file = write("openrlhf-single.json", samples);
    expect(engines("openrlhf-single", file).rewards).toEqual(rewardsExpected());
    expect(engines("openrlhf-file", file).rewards).toEqual(rewardsExpected());
  });

  it("verl custom reward function (ground_truth = Task JSON, extra_info.task_ref), per sample and batched", { timeout: 600_000 }, () => {
    const samples = cases.map((c) => ({ data_source: c.dataset, solution_str: c.completion, ground_truth: stringifyWireJson(c.task), extra_info: { task_ref: { dataset: c.dataset, task_id: c.task.id }, index: 0 } }));
    const out = engines("verl-custom", write("verl.json", samples));
    expect(out.single.map((r: { score: number }) => r.score)).toEqual(rewardsExpected());
    expect(out.batch.map((r: { score: number }) => r.score)).toEqual(rewardsExpected());
    // verl stacks the extras into arrays: every sample must carry the same keys.
    const keys = new Set(out.single.map((r: object) => Object.keys(r).sort().join(",")));
    expect(keys.size).toBe(1);
  });

  it("TRL GRPO reward function (task column, plain and conversational completions)", () => {
    const samples = cases.map((c, i) => ({ prompt: c.task.prompt, completion: i % 2 === 0 ? c.completion : [{ role: "assistant", content: c.completion }], task: stringifyWireJson(c.task) }));
    expect(engines("trl", write("trl.json", samples))).toEqual(rewardsExpected());
  });

  it("our batch API with task references", () => {
    const samples = cases.map((c) => ({ ref: { dataset: c.dataset, task_id: c.task.id }, completion: c.completion }));
    const results = engines("batch-api", write("batch.json", samples)) as Array<{ reward: number; compiled: boolean; passed: number; total: number }>;
    expect(results.map((r) => ({ reward: r.reward, compiled: r.compiled, passed: r.passed, total: r.total }))).toEqual(expected);
  });

  it("verl's /run_code per test case: reference, wrong answer, syntax error and infinite loop map to the documented statuses", () => {
    const sum = cases.find((c) => c.task.id === "mini-sum")!.task;
    const tests = sum.tests.filter((t): t is Extract<Task["tests"][number], { type: "stdin" }> => t.type === "stdin");
    const programs = {
      reference: "n = int(input())\nprint(sum(map(int, input().split())))",
      wrong: "n = int(input())\nprint(max(map(int, input().split())))",
      syntax: "n = int(input()\nprint(n)",
      loop: "while True:\n    pass",
    };
    const runCases = Object.entries(programs).flatMap(([what, code]) => tests.map((t) => ({ what, code, stdin: t.input, expected: t.output, ...(what === "loop" ? { run_timeout: 1 } : {}) })));
    const out = engines("verl-run-code", write("run-code.json", runCases)) as Array<{ http: number; status: string; run_status: string; return_code: number | null; passed: boolean }>;
    const by = (what: string) => out.filter((_, i) => runCases[i]!.what === what);
    expect(out.every((o) => o.http === 200)).toBe(true);
    for (const o of by("reference")) expect(o).toMatchObject({ status: "Success", run_status: "Finished", return_code: 0, passed: true });
    expect(by("wrong").every((o) => o.status === "Success" && o.run_status === "Finished")).toBe(true);
    expect(by("wrong").some((o) => !o.passed)).toBe(true);
    for (const o of by("syntax")) expect(o).toMatchObject({ status: "Failed", run_status: "Finished", return_code: 1, passed: false });
    for (const o of by("loop")) expect(o).toMatchObject({ status: "Failed", run_status: "TimeLimitExceeded", return_code: null, passed: false });
  });
});
