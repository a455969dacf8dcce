import { describe, expect, it } from "vitest";
import { computeReward, getSpec, parseSpec, analyzersFor, qualityWeightFor } from "../../src/reward/index.js";
import type { Verdict, TestOutcome, TestKind } from "../../src/judge/verdict.js";
import type { Finding, Severity, AnalyzerName, Confidence } from "../../src/analysis/finding.js";
import { cweRef } from "../../src/analysis/finding.js";
import type { Task } from "../../src/task/schema.js";

const SOLUTION = "def add(a, b):\n    return a + b\n";

function finding(severity: Severity, analyzer: AnalyzerName = "rules", confidence: Confidence = "HIGH"): Finding {
  return {
    analyzer,
    filename: "<sample>",
    test_id: "B000",
    test_name: "example",
    issue_severity: severity,
    issue_confidence: confidence,
    issue_cwe: cweRef(78),
    issue_text: "example finding",
    line_number: 1,
    line_range: [1],
    col_offset: 0,
    end_col_offset: 1,
    code: "1 x",
  };
}

function outcomes(statuses: ("pass" | "wrong_answer")[], kind: TestKind = "test"): TestOutcome[] {
  return statuses.map((status) => ({ kind, status, time_ms: 1 }));
}

function verdict(over: Partial<Verdict> = {}): Verdict {
  const tests = over.tests ?? outcomes(["pass", "pass", "pass", "pass"]);
  return {
    task_id: "t1",
    code: SOLUTION,
    compiled: true,
    tests,
    passed: tests.filter((t) => t.status === "pass").length,
    total: tests.length,
    findings: [],
    ...over,
  };
}

const APPS_STDIN = { kind: "apps-stdin", source: "apps" } as const;
const APPS_CALL = { kind: "apps-call", source: "apps-plus" } as const;
const SECCODE = { kind: "seccodeplt", source: "seccodeplt" } as const;
const SAFESQL = { kind: "safesql", source: "safesql" } as const;

describe("securecoderl spec: R = 0.6 R_func + 0.4 (1 - min(1, sum of weights))", () => {
  it("all tests pass, no findings: 0.6 * 1 + 0.4 * 1 = 1", () => {
    const r = computeReward(verdict(), APPS_STDIN, "securecoderl");
    expect(r.value).toBe(1);
    expect(r.parts).toMatchObject({ function: 1, quality: 1, severity_weight: 0, findings_counted: 0 });
  });

  it("3 of 4 pass with one LOW and one MEDIUM finding: 0.6 * 0.75 + 0.4 * (1 - 0.9) = 0.49", () => {
    const v = verdict({ tests: outcomes(["pass", "wrong_answer", "pass", "pass"]), findings: [finding("LOW"), finding("MEDIUM")] });
    const r = computeReward(v, APPS_STDIN, "securecoderl");
    expect(r.value).toBe(0.49);
    expect(r.parts).toMatchObject({ function: 0.75, quality: 0.1, severity_weight: 0.9, findings_counted: 2 });
  });

  it("weights summing over 1 clamp the security part at 0: 1 of 2 pass, HIGH + LOW = 1.3 -> 0.3", () => {
    const v = verdict({ tests: outcomes(["pass", "wrong_answer"]), findings: [finding("HIGH"), finding("LOW")] });
    const r = computeReward(v, APPS_STDIN, "securecoderl");
    expect(r.value).toBe(0.3);
    expect(r.parts).toMatchObject({ function: 0.5, quality: 0, severity_weight: 1.3 });
  });

  it("counts only the rules analyzer by default: a vuln finding leaves R_sec = 1", () => {
    const r = computeReward(verdict({ findings: [finding("HIGH", "vuln")] }), APPS_STDIN, "securecoderl");
    expect(r.value).toBe(1);
    expect(r.parts.findings_counted).toBe(0);
  });

  it("no code and non-compiling code score 0 (not the paper code's 0.4)", () => {
    const none = computeReward(verdict({ code: null, compiled: false, tests: [] }), APPS_STDIN, "securecoderl");
    expect(none.value).toBe(0);
    expect(none.parts).toMatchObject({ penalty: 0, no_code: 1, function: 0, quality: 0 });
    const broken = computeReward(verdict({ code: "def f(:\n", compiled: false, tests: outcomes(["wrong_answer"]) }), APPS_STDIN, "securecoderl");
    expect(broken.value).toBe(0);
    expect(broken.parts).toMatchObject({ penalty: 0, compile_error: 1 });
  });

  it("trivial code earns neither function nor security credit even if tests passed", () => {
    const v = verdict({ code: '"""docstring"""\nimport os\n\ndef add(a, b):\n    pass\n', tests: outcomes(["pass", "pass"]) });
    const r = computeReward(v, APPS_CALL, "securecoderl");
    expect(r.value).toBe(0);
    expect(r.parts).toMatchObject({ function: 0, quality: 0, trivial: 1 });
  });
});

describe("real spec: R = a r_quality + (1 - a) r_function", () => {
  it("all pass, detector silent, SecCodePLT (a = 0.5): 1", () => {
    const r = computeReward(verdict({ tests: outcomes(["pass", "pass"], "capability") }), SECCODE, "real");
    expect(r.value).toBe(1);
    expect(r.parts).toMatchObject({ function: 1, quality: 1, quality_weight: 0.5 });
  });

  it("any counted finding zeroes quality: 1 of 4 pass with one LOW vuln finding -> 0.5 * 0.25 = 0.125", () => {
    const v = verdict({ tests: outcomes(["pass", "wrong_answer", "wrong_answer", "wrong_answer"], "capability"), findings: [finding("LOW", "vuln")] });
    const r = computeReward(v, SECCODE, "real");
    expect(r.value).toBe(0.125);
    expect(r.parts).toMatchObject({ function: 0.25, quality: 0, findings_counted: 1 });
  });

  it("SafeSQL uses a = 0.3: 2 of 4 functional pass, no finding -> 0.3 + 0.7 * 0.5 = 0.65", () => {
    const v = verdict({ tests: outcomes(["pass", "pass", "wrong_answer", "wrong_answer"], "functional") });
    const r = computeReward(v, SAFESQL, "real");
    expect(r.value).toBe(0.65);
    expect(r.parts.quality_weight).toBe(0.3);
  });

  it("no code scores -1, code that cannot compile -0.5", () => {
    expect(computeReward(verdict({ code: null, compiled: false, tests: [] }), SECCODE, "real").value).toBe(-1);
    expect(computeReward(verdict({ code: "  \n", compiled: true }), SECCODE, "real").value).toBe(-1);
    const broken = computeReward(verdict({ code: "return return", compiled: false }), SECCODE, "real");
    expect(broken.value).toBe(-0.5);
    expect(broken.parts.penalty).toBe(-0.5);
  });

  it("on call-based APPS+ counts type-checker findings, not the vulnerability detector's", () => {
    expect(analyzersFor(getSpec("real"), APPS_CALL)).toEqual(["types"]);
    const typeIssue = computeReward(verdict({ findings: [finding("MEDIUM", "types")] }), APPS_CALL, "real");
    expect(typeIssue.value).toBe(0.5);
    const vulnIssue = computeReward(verdict({ findings: [finding("HIGH", "vuln")] }), APPS_CALL, "real");
    expect(vulnIssue.value).toBe(1);
  });

  it("trivial code (entry function is only pass, solution-free module) scores 0, not a", () => {
    const code = "def solve(x):\n    ...\n\nprint('hello')\n";
    const task = { ...callTask([1, 2]), entryPoint: "solve" };
    const r = computeReward(verdict({ code, tests: outcomes(["pass", "pass"]) }), task, "real");
    expect(r.value).toBe(0);
    expect(r.parts).toMatchObject({ trivial: 1, function: 0, quality: 0 });
  });

  it("safety and attack cases stay out of the function part and are reported apart", () => {
    const tests = [...outcomes(["pass", "wrong_answer"], "capability"), ...outcomes(["pass", "pass", "wrong_answer"], "safety")];
    const r = computeReward(verdict({ tests }), SECCODE, "real");
    expect(r.value).toBe(0.75);
    expect(r.parts).toMatchObject({ function: 0.5, security_tests_passed: 2, security_tests_total: 3, tests_counted: 2 });
  });
});

function callTask(expected: unknown[]): Task {
  return {
    id: "c1",
    kind: "apps-call",
    source: "apps-plus",
    prompt: "p",
    starterCode: "",
    entryPoint: "f",
    references: [],
    tests: expected.map((e) => ({ type: "call" as const, args: [1], expected: e })),
    extra: {},
  };
}

describe("tests a do-nothing program would pass", () => {
  it("count like any other test under the built-in specs (R_func = passed / total)", () => {
    const task = callTask([null, 3, null, 4]);
    const v = verdict({ code: "def f(x):\n    return 3 if x else None\n", tests: outcomes(["pass", "pass", "pass", "wrong_answer"]) });
    const r = computeReward(v, task, "securecoderl");
    expect(r.parts).toMatchObject({ function: 0.75, trivial_tests: 0, tests_counted: 4 });
    expect(r.value).toBe(0.85);
  });
});

describe("with exclude_trivially_passable_tests, tests a do-nothing program would pass earn nothing", () => {
  const SCRL = parseSpec({ extends: "securecoderl", exclude_trivially_passable_tests: true });
  const REAL = parseSpec({ extends: "real", exclude_trivially_passable_tests: true });
  it("call tests expecting None are left out: 1 of 2 real tests pass -> R_func 0.5", () => {
    const task = callTask([null, 3, null, 4]);
    const v = verdict({ code: "def f(x):\n    return 3 if x else None\n", tests: outcomes(["pass", "pass", "pass", "wrong_answer"]) });
    const r = computeReward(v, task, SCRL);
    expect(r.parts).toMatchObject({ function: 0.5, trivial_tests: 2, tests_counted: 2 });
    expect(r.value).toBe(0.7);
  });

  it("a task whose every test expects None gives no function reward at all", () => {
    const v = verdict({ code: "def f(x):\n    return None if x else 0\n", tests: outcomes(["pass", "pass"]) });
    const r = computeReward(v, callTask([null, null]), REAL);
    expect(r.parts).toMatchObject({ function: 0, tests_counted: 0, trivial_tests: 2 });
    expect(r.value).toBe(0.5);
  });

  it("stdin tests with empty expected output and SafeSQL empty results are left out", () => {
    const task: Task = {
      id: "s1", kind: "safesql", source: "safesql", prompt: "p", starterCode: "", references: [], extra: {},
      tests: [
        { type: "safesql", kind: "functional", input: "a\n", output: "(1, 'x')" },
        { type: "safesql", kind: "functional", input: "b\n", output: "" },
        { type: "safesql", kind: "attack", input: "' OR 1=1 --" },
      ],
    };
    const tests: TestOutcome[] = [
      { kind: "functional", status: "pass", time_ms: 1 },
      { kind: "functional", status: "pass", time_ms: 1 },
      { kind: "attack", status: "pass", time_ms: 1 },
    ];
    const code = "import sqlite3\nprint(sqlite3.connect('x.db').execute('select 1').fetchall())\n";
    const r = computeReward(verdict({ code, tests }), task, REAL);
    expect(r.parts).toMatchObject({ function: 1, tests_counted: 1, trivial_tests: 1, security_tests_total: 1 });
    expect(r.value).toBe(1);
  });

  it("SecCodePLT capability cases expecting None (read from the testcases source) are left out", () => {
    const testcases = 'testcases = {\n    "capability": [\n        ({"x": 1}, None),\n        ({"x": 2}, 4),\n    ],\n    "safety": [\n        ({"x": "../"}, ValueError),\n    ],\n}';
    const task: Task = {
      id: "p1", kind: "seccodeplt", source: "seccodeplt", prompt: "p", starterCode: "", references: [], cwe: "22",
      extra: { unittest: { setup: "", testcases } },
      tests: [
        { type: "seccodeplt", kind: "capability", index: 0 },
        { type: "seccodeplt", kind: "capability", index: 1 },
        { type: "seccodeplt", kind: "safety", index: 0 },
      ],
    };
    const tests: TestOutcome[] = [
      { kind: "capability", status: "pass", time_ms: 1 },
      { kind: "capability", status: "wrong_answer", time_ms: 1 },
      { kind: "safety", status: "pass", time_ms: 1 },
    ];
    const r = computeReward(verdict({ code: "def f(x):\n    return x * 3 if x > 1 else None\n", tests }), task, REAL);
    expect(r.parts).toMatchObject({ function: 0, tests_counted: 1, trivial_tests: 1 });
    expect(r.value).toBe(0.5);
  });
});

describe("judging failures", () => {
  it("are flagged in the parts so a trainer can drop the sample", () => {
    const tests: TestOutcome[] = [{ kind: "test", status: "sandbox_error", time_ms: 0 }, { kind: "test", status: "pass", time_ms: 1 }];
    const r = computeReward(verdict({ tests, error: "sandbox failed to start" }), APPS_STDIN, "securecoderl");
    expect(r.parts).toMatchObject({ judge_error: 1, function: 0, quality: 0 });
    expect(r.value).toBe(0);
    expect(computeReward(verdict(), APPS_STDIN, "securecoderl").parts.judge_error).toBeUndefined();
  });

  it("never earn more than the same program failing every test", () => {
    const failing: TestOutcome[] = [{ kind: "test", status: "wrong_answer", time_ms: 1 }, { kind: "test", status: "wrong_answer", time_ms: 1 }];
    const broken: TestOutcome[] = [{ kind: "test", status: "sandbox_error", time_ms: 0 }, { kind: "test", status: "pass", time_ms: 1 }];
    for (const spec of ["securecoderl", "real"]) {
      const fail = computeReward(verdict({ tests: failing }), APPS_STDIN, spec).value;
      const judgeError = computeReward(verdict({ tests: broken, error: "sandbox: driver crashed" }), APPS_STDIN, spec).value;
      expect(judgeError).toBeLessThanOrEqual(fail);
    }
  });
});

describe("custom specs from config", () => {
  it("extends a built-in spec and overrides weights, analyzers and threshold", () => {
    const spec = parseSpec({ extends: "securecoderl", name: "strict", quality_weight: 0.5, analyzers: ["rules", "vuln"], min_severity: "MEDIUM" });
    const v = verdict({ tests: outcomes(["pass", "wrong_answer"]), findings: [finding("LOW"), finding("MEDIUM", "vuln")] });
    const r = computeReward(v, APPS_STDIN, spec);
    // LOW is below the threshold; MEDIUM (0.6) counts: 0.5 * 0.5 + 0.5 * 0.4 = 0.45
    expect(r).toMatchObject({ spec: "strict", value: 0.45 });
    expect(r.parts.findings_counted).toBe(1);
  });

  it("per-task alpha and penalties", () => {
    const spec = parseSpec({
      extends: "real",
      quality_weight: { default: 0.2, by_source: { seccodeplt: 0.8 } },
      penalties: { no_code: -2, compile_error: -1, trivial: -0.25 },
    });
    expect(qualityWeightFor(spec, SECCODE)).toBe(0.8);
    expect(qualityWeightFor(spec, APPS_STDIN)).toBe(0.2);
    expect(computeReward(verdict({ code: null, compiled: false }), SECCODE, spec).value).toBe(-2);
    expect(computeReward(verdict({ code: "pass\n" }), SECCODE, spec).value).toBe(-0.25);
    // 0.2 * 1 + 0.8 * 0.5
    expect(computeReward(verdict({ tests: outcomes(["pass", "wrong_answer"]) }), APPS_STDIN, spec).value).toBe(0.6);
  });

  it("rejects invalid configs with the field named", () => {
    expect(() => parseSpec({ extends: "real", quality_weight: 1.5 })).toThrow(/quality_weight/);
    expect(() => parseSpec({ extends: "real", analyzers: ["bandit"] })).toThrow(/analyzers/);
    expect(() => parseSpec({ name: "x" })).toThrow(/quality/);
    expect(() => parseSpec({ extends: "nope" })).toThrow(/unknown reward spec/);
    expect(() => parseSpec("securecoderl")).toThrow(/object/);
  });

  it("getSpec names the built-ins on a typo", () => {
    expect(() => getSpec("reall")).toThrow(/securecoderl, real/);
  });
});

describe("analysis failures never count as clean", () => {
  const half = () => verdict({ tests: outcomes(["pass", "pass", "wrong_answer", "wrong_answer"]) });

  it("securecoderl: a failed rules analysis gives quality 0 (the worst), as if every finding were HIGH and more", () => {
    const clean = computeReward(half(), APPS_STDIN, "securecoderl", { analyzed: ["rules", "vuln"], failed: [] });
    expect(clean.value).toBe(0.7);
    const failed = computeReward(half(), APPS_STDIN, "securecoderl", { analyzed: ["rules", "vuln"], failed: ["rules"] });
    expect(failed.value).toBe(0.3); // 0.6 * 0.5 + 0.4 * 0
    expect(failed.parts).toMatchObject({ function: 0.5, quality: 0, analysis_error: 1 });
    // Less than the same program with one MEDIUM finding (0.46): failing the analyzer never pays.
    expect(computeReward({ ...half(), findings: [finding("MEDIUM")] }, APPS_STDIN, "securecoderl", { analyzed: ["rules"] }).value).toBe(0.46);
  });

  it("only the analyzers the spec counts matter; one that did not run at all is a failure too", () => {
    // REAL counts the detector on SecCodePLT: a rules failure changes nothing, a detector failure does.
    const v = verdict({ tests: outcomes(["pass", "pass"], "capability") });
    expect(computeReward(v, SECCODE, "real", { analyzed: ["rules", "vuln"], failed: ["rules"] }).value).toBe(1);
    expect(computeReward(v, SECCODE, "real", { analyzed: ["rules", "vuln"], failed: ["vuln"] }).value).toBe(0.5);
    expect(computeReward(v, SECCODE, "real", { analyzed: ["rules"] })).toMatchObject({ value: 0.5, parts: { analysis_error: 1 } });
    // Without an analysis status (a verdict scored on its own) nothing changes.
    expect(computeReward(v, SECCODE, "real").value).toBe(1);
  });

  it("does not touch the penalties for no code or code that does not compile", () => {
    expect(computeReward(verdict({ code: null, compiled: false, tests: [] }), SECCODE, "real", { failed: ["vuln"] }).value).toBe(-1);
    expect(computeReward(verdict({ code: "def f(:\n", compiled: false }), SECCODE, "real", { failed: ["vuln"] }).value).toBe(-0.5);
  });
});
