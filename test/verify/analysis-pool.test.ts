import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSpec } from "../../src/reward/index.js";
import { SandboxPool } from "../../src/sandbox/index.js";
import { loadTasks, type Task } from "../../src/task/index.js";
import { AnalysisPool, defaultAnalysisThreads, evaluateSample, type AnalysisRequest } from "../../src/verify/index.js";
import { runAnalysis } from "../../src/verify/analysis-run.js";

const FIXTURE = pathToFileURL(join(import.meta.dirname, "fixtures", "misbehaving-analysis-worker.mjs"));
const MINI = join(import.meta.dirname, "..", "..", "bench-data", "mini", "apps.jsonl");
const request = (code: string): AnalysisRequest => ({ code, analyzers: ["rules", "vuln"] });

describe("analysis thread pool: budgets, deaths and replacements", () => {
  it("sizes itself from the sandbox workers: one thread per 16, at least 1, at most the CPUs less one", () => {
    expect(defaultAnalysisThreads(2, 2)).toBe(1);
    expect(defaultAnalysisThreads(8, 2)).toBe(1);
    expect(defaultAnalysisThreads(16, 16)).toBe(2);
    expect(defaultAnalysisThreads(64, 16)).toBe(5);
    expect(defaultAnalysisThreads(64, 4)).toBe(3);
    expect(defaultAnalysisThreads(4, 1)).toBe(1);
  });

  it("a sample over its time budget fails alone; its thread is replaced and the next sample is answered", async () => {
    const pool = new AnalysisPool({ threads: 1, timeBudgetMs: 300, workerUrl: FIXTURE });
    try {
      const [hung, next] = await Promise.all([pool.analyze(request("HANG")), pool.analyze(request("x = 1"))]);
      expect(hung.findings).toEqual([]);
      expect(hung.errors.map((e) => e.analyzer)).toEqual(["rules", "vuln"]);
      expect(hung.errors[0]!.message).toMatch(/time budget of 300 ms/);
      expect(next.errors).toEqual([]);
      expect(pool.replaced).toEqual({ time: 1, memory: 0, crash: 0 });
    } finally {
      await pool.close();
    }
  });

  it("a thread that exceeds its heap budget, exits or throws fails only its own sample", async () => {
    const pool = new AnalysisPool({ threads: 2, memoryMb: 32, workerUrl: FIXTURE });
    try {
      const outcomes = await Promise.all(["GROW", "ok 1", "EXIT", "ok 2", "THROW", "ok 3"].map((c) => pool.analyze(request(c))));
      const [grow, ok1, exit, ok2, thrown, ok3] = outcomes;
      expect(grow!.errors[0]!.message).toMatch(/memory budget of 32 MiB/);
      expect(exit!.errors[0]!.message).toMatch(/analysis thread exited/);
      expect(thrown!.errors[0]!.message).toMatch(/analysis thread died: worker fixture threw/);
      for (const ok of [ok1, ok2, ok3]) expect(ok!.errors).toEqual([]);
      expect(pool.replaced).toEqual({ time: 0, memory: 1, crash: 2 });
    } finally {
      await pool.close();
    }
  });

  it("the real worker gives the in-thread outcome (one parse for rules, detector and structure)", async () => {
    const pool = new AnalysisPool({ threads: 1 });
    try {
      const programs = [
        "import subprocess\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n",
        "def solve(s):\n    pass\n\nprint(eval(input()))\n",
        "def f(a: int = 0, *rest: str):\n    return eval(a)\n",
      ];
      for (const code of programs) {
        const r = { ...request(code), entryFunction: "run" };
        const viaThread = await pool.analyze(r);
        const here = runAnalysis(r);
        const strip = (o: typeof here) => ({ ...o, timings: null });
        expect(strip(viaThread)).toEqual(strip(here));
        expect(viaThread.errors).toEqual([]);
      }
      expect((await pool.analyze(request(programs[1]!))).moduleLevelSolution).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it("a program over the size limit is an analysis error at once, without parsing it", async () => {
    const out = runAnalysis({ code: `x = "${"a".repeat(300 * 1024)}"\n`, analyzers: ["rules", "vuln"] });
    expect(out.errors.map((e) => e.analyzer)).toEqual(["rules", "vuln"]);
    expect(out.errors[0]!.message).toMatch(/program too large to analyse: \d+ bytes, limit 262144/);
  });
});

describe("a failed analysis counts against the sample's reward", () => {
  let sandbox: SandboxPool;
  let sum: Task;
  beforeAll(async () => {
    sandbox = new SandboxPool({ jobs: 1 });
    sum = (await loadTasks(MINI)).tasks.find((t) => t.id === "mini-sum")!;
  });
  afterAll(() => sandbox.close());

  it("securecoderl: all tests pass but the analysis thread hung -> quality 0, reward 0.6 (a clean run gives 1)", async () => {
    const correct = "n = int(input())\nprint(sum(map(int, input().split())))\n# HANG\n";
    const pool = new AnalysisPool({ threads: 1, timeBudgetMs: 300, workerUrl: FIXTURE });
    try {
      const r = await evaluateSample(sum, correct, { pool: sandbox, spec: getSpec("securecoderl"), analyzers: ["rules", "vuln"], analysis: pool }, { sampleIndex: 0, model: "m", dataset: "apps" });
      expect(r.passed).toBe(4);
      expect(r.analysis_failed).toEqual(["rules", "vuln"]);
      expect(r.reward).toMatchObject({ value: 0.6, parts: { function: 1, quality: 0, analysis_error: 1 } });
      const clean = await evaluateSample(sum, correct.replace("HANG", "done"), { pool: sandbox, spec: getSpec("securecoderl"), analyzers: ["rules", "vuln"], analysis: pool }, { sampleIndex: 1, model: "m", dataset: "apps" });
      expect(clean.reward!.value).toBe(1);
      expect(clean.analysis_failed).toBeUndefined();
    } finally {
      await pool.close();
    }
  });

  it("the def f(a: int = 0, *rest: str) + eval program scores as the eval program alone (0.46), not as clean (0.70)", async () => {
    const evalHalf = "n = int(input())\nprint(eval(input().split()[-1]))\n";
    const deps = { pool: sandbox, spec: getSpec("securecoderl"), analyzers: ["rules", "vuln"] as const };
    const plain = await evaluateSample(sum, evalHalf, { ...deps, analyzers: [...deps.analyzers] }, { sampleIndex: 0, model: "m", dataset: "apps" });
    const withDef = await evaluateSample(sum, `def f(a: int = 0, *rest: str):\n    return a\n\n${evalHalf}`, { ...deps, analyzers: [...deps.analyzers] }, { sampleIndex: 1, model: "m", dataset: "apps" });
    expect(plain.reward!.value).toBe(0.46);
    expect(withDef.reward!.value).toBe(0.46);
    expect(withDef.analysis_errors).toEqual([]);
  });
});
