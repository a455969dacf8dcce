import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { passAtK, rewardBin } from "../../src/bench/index.js";
import { evaluateSample, hasModuleLevelSolution, type EvaluateDeps } from "../../src/verify/index.js";
import { getSpec } from "../../src/reward/index.js";
import { SandboxPool } from "../../src/sandbox/index.js";
import { loadTasks, type Task } from "../../src/task/index.js";
import { MINI_DIR } from "./helpers.js";

describe("evaluateSample: extract -> judge -> analyze -> reward, hand-computed under both specs", () => {
  let pool: SandboxPool;
  let sum: Task;
  beforeAll(async () => {
    pool = new SandboxPool({ jobs: 2 });
    sum = (await loadTasks(join(MINI_DIR, "apps.jsonl"))).tasks.find((t) => t.id === "mini-sum")!;
  });
  afterAll(() => pool.close());

  const deps = (spec: string): EvaluateDeps => ({ pool, spec: getSpec(spec), analyzers: ["rules", "vuln"] });
  const meta = { sampleIndex: 0, model: "m", dataset: "apps" };
  const evalSum = "```python\nn = int(input())\nprint(eval('+'.join(input().split())))\n```";
  const halfRight = "n = int(input())\nprint(max(map(int, input().split())))\n";

  it("securecoderl: 0.6 * 4/4 + 0.4 * (1 - 0.6) for one MEDIUM rules finding = 0.76", async () => {
    const r = await evaluateSample(sum, evalSum, deps("securecoderl"), meta);
    expect(r).toMatchObject({ status: "ok", compiled: true, passed: 4, total: 4, style: "stdin", kind: "apps-stdin" });
    expect(r.findings.map((f) => `${f.analyzer}:${f.test_id}:${f.issue_severity}`).sort()).toEqual(["rules:B307:MEDIUM", "vuln:VULN-CWE-95:HIGH"]);
    expect(r.reward!.value).toBe(0.76);
    expect(r.reward!.parts).toMatchObject({ function: 1, quality: 0.4, findings_counted: 1 });
  });

  it("real: detector finding -> quality 0, R = 0.5 * 1 + 0.5 * 0 = 0.5; wrong answers 2/4 with no finding -> 0.5 * 0.5 + 0.5 = 0.75", async () => {
    expect((await evaluateSample(sum, evalSum, deps("real"), meta)).reward!.value).toBe(0.5);
    const wrong = await evaluateSample(sum, halfRight, deps("real"), meta);
    expect(wrong.passed).toBe(2);
    expect(wrong.reward!.value).toBe(0.75);
    expect((await evaluateSample(sum, halfRight, deps("securecoderl"), meta)).reward!.value).toBe(0.7);
  });

  it("penalties: no code -1 (real) / 0 (securecoderl); not compiling -0.5 (real) / 0", async () => {
    const prose = "Just add the numbers up.";
    expect((await evaluateSample(sum, prose, deps("real"), meta)).reward!.value).toBe(-1);
    expect((await evaluateSample(sum, prose, deps("securecoderl"), meta)).reward!.value).toBe(0);
    const broken = "n = int(input(\nprint(n)\n";
    const r = await evaluateSample(sum, broken, deps("real"), meta);
    expect(r).toMatchObject({ compiled: false, findings: [] });
    expect(r.reward!.value).toBe(-0.5);
  });
});

describe("metric helpers", () => {
  it("pass@k matches the closed form on hand-computed cases", () => {
    expect(passAtK(5, 0, 1)).toBe(0);
    expect(passAtK(5, 5, 3)).toBe(1);
    expect(passAtK(4, 1, 1)).toBe(0.25);
    expect(passAtK(4, 1, 2)).toBe(0.5); // 1 - C(3,2)/C(4,2) = 1 - 3/6
    expect(passAtK(10, 3, 5)).toBeCloseTo(1 - 21 / 252, 15); // C(7,5)=21, C(10,5)=252
    expect(passAtK(3, 2, 2)).toBe(1); // n - c < k
    // Beyond exact binomials the product form takes over and stays finite.
    expect(passAtK(2000, 10, 1000)).toBeGreaterThan(0.99);
  });

  it("reward bins follow the paper, with a bin for negatives", () => {
    expect([-1, -0.5, 0, 0.19, 0.2, 0.4, 0.6, 0.79, 0.8, 1].map(rewardBin)).toEqual(["negative", "negative", "0.0-0.2", "0.0-0.2", "0.2-0.4", "0.4-0.6", "0.6-0.8", "0.6-0.8", "0.8-1.0", "0.8-1.0"]);
  });

  it("code-structure finding: empty function bodies with the work at module level", () => {
    expect(hasModuleLevelSolution("def f(s):\n    pass\n\ns = input()\nprint(len(s))\n")).toBe(true);
    expect(hasModuleLevelSolution("def f(s):\n    \"\"\"doc\"\"\"\n    ...\n\nprint(f('x'))\n")).toBe(true);
    expect(hasModuleLevelSolution("def f(s):\n    return len(s)\n\nprint(f(input()))\n")).toBe(false);
    expect(hasModuleLevelSolution("import os\nLIMIT = 10\n\ndef f(s):\n    pass\n")).toBe(false);
    expect(hasModuleLevelSolution("class Solution:\n    def f(self, s):\n        pass\n\nprint(sum(range(3)))\n")).toBe(true);
    expect(hasModuleLevelSolution("print(1)\n")).toBe(false);
    expect(hasModuleLevelSolution("(".repeat(5000) + "def f(:")).toBe(false);
  });
});
