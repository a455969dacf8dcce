import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../helpers.js";

let dir: string;

const VULNERABLE = "import pickle\n\ndef load(data):\n    return pickle.loads(data)\n\nvalue = eval('1 + 2')\n";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "scrl-scan-"));
  mkdirSync(join(dir, "proj", "pkg"), { recursive: true });
  mkdirSync(join(dir, "proj", ".git"));
  mkdirSync(join(dir, "proj", "vendor"));
  writeFileSync(join(dir, "proj", "app.py"), VULNERABLE);
  writeFileSync(join(dir, "proj", "pkg", "clean.py"), "def add(a, b):\n    return a + b\n");
  writeFileSync(join(dir, "proj", "pkg", "broken.py"), "def f(:\n    pass\n");
  writeFileSync(join(dir, "proj", "pkg", "binary.py"), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x02]));
  writeFileSync(join(dir, "proj", "pkg", "latin.py"), Buffer.from("x = '\xe9'\n", "latin1"));
  writeFileSync(join(dir, "proj", "pkg", "notes.txt"), "eval('not python')\n");
  writeFileSync(join(dir, "proj", ".git", "hook.py"), "eval('x')\n");
  writeFileSync(join(dir, "proj", "vendor", "lib.py"), "eval('x')\n");
  symlinkSync(join(dir, "proj"), join(dir, "proj", "pkg", "loop"));
  writeFileSync(join(dir, "clean.py"), "print('hello')\n");
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The Bandit-compatible analyzer alone: these tests check parity with Bandit's behaviour. */
function scanJson(args: string[], cwd = dir) {
  const r = runCli(["scan", "--format", "json", "--analyzer", "rules", ...args], { cwd });
  return { ...r, report: r.stdout ? JSON.parse(r.stdout) : null };
}

describe("securecoderl scan", () => {
  it("writes Bandit's JSON schema, walks directories and reports bad files under errors", () => {
    const { status, report, stderr } = scanJson(["proj"]);
    // The report lists the bad files; stderr only says how many (nothing with -q).
    expect(stderr).toBe("securecoderl scan: 3 files could not be scanned (listed under errors in the report)\n");
    expect(scanJson(["-q", "proj"]).stderr).toBe("");
    expect(status).toBe(1);
    expect(Object.keys(report).sort()).toEqual(["errors", "generated_at", "metrics", "results"]);
    expect(report.generated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(report.results.map((r: { test_id: string; line_number: number }) => `${r.test_id}@${r.line_number}`)).toEqual(["B403@1", "B301@4", "B307@6", "B307@1"]);
    const first = report.results[0];
    expect(Object.keys(first).sort()).toEqual(
      ["analyzer", "code", "col_offset", "end_col_offset", "filename", "issue_confidence", "issue_cwe", "issue_severity", "issue_text", "line_number", "line_range", "more_info", "test_id", "test_name"].sort(),
    );
    expect(first).toMatchObject({ filename: "proj/app.py", analyzer: "rules", issue_cwe: { id: 502, link: "https://cwe.mitre.org/data/definitions/502.html" }, line_range: [1] });
    expect(report.results[1].code).toBe("3 def load(data):\n4     return pickle.loads(data)\n5 \n");
    const errors = Object.fromEntries(report.errors.map((e: { filename: string; reason: string }) => [e.filename, e.reason]));
    expect(errors).toEqual({
      "proj/pkg/binary.py": "syntax error while parsing AST from file",
      "proj/pkg/broken.py": "syntax error while parsing AST from file",
      "proj/pkg/latin.py": "syntax error while parsing AST from file",
    });
    // .git is excluded by default; the symlinked directory loop is not followed.
    expect(Object.keys(report.metrics).sort()).toEqual(
      ["_totals", "proj/app.py", "proj/pkg/binary.py", "proj/pkg/broken.py", "proj/pkg/clean.py", "proj/pkg/latin.py", "proj/vendor/lib.py"].sort(),
    );
    expect(report.metrics["proj/app.py"]).toMatchObject({ loc: 4, "SEVERITY.LOW": 1, "SEVERITY.MEDIUM": 2, "CONFIDENCE.HIGH": 3, nosec: 0 });
    expect(report.metrics._totals["SEVERITY.MEDIUM"]).toBe(3);
  });

  it("gives the same report with worker threads as without", () => {
    const one = scanJson(["proj", "--jobs", "1"]).report;
    const two = scanJson(["proj", "--jobs", "3"]).report;
    delete one.generated_at;
    delete two.generated_at;
    expect(two).toEqual(one);
  });

  it("exits 0 when nothing passes the filters, 1 otherwise", () => {
    expect(scanJson(["clean.py"]).status).toBe(0);
    expect(scanJson(["proj/app.py", "--severity-level", "high"]).status).toBe(0);
    const med = scanJson(["proj/app.py", "--severity-level", "medium"]);
    expect(med.status).toBe(1);
    expect(med.report.results.map((r: { test_id: string }) => r.test_id)).toEqual(["B301", "B307"]);
    expect(med.report.metrics._totals["SEVERITY.LOW"]).toBe(1); // metrics count before filtering, as Bandit
  });

  it("honours nosec unless --ignore-nosec", () => {
    writeFileSync(join(dir, "nosec.py"), "eval('1')  # nosec\neval('2')  # nosec B307\n");
    const a = scanJson(["nosec.py"]);
    expect(a.status).toBe(0);
    expect(a.report.metrics._totals).toMatchObject({ nosec: 1, skipped_tests: 1 });
    const b = scanJson(["nosec.py", "--ignore-nosec"]);
    expect(b.report.results).toHaveLength(2);
  });

  it("selects tests with --tests/--skips (ids or names) and rejects unknown ones with exit 2", () => {
    expect(scanJson(["proj/app.py", "--tests", "B301,eval"]).report.results.map((r: { test_id: string }) => r.test_id)).toEqual(["B301", "B307"]);
    expect(scanJson(["proj/app.py", "--skips", "B301"]).report.results.map((r: { test_id: string }) => r.test_id)).toEqual(["B403", "B307"]);
    const bad = runCli(["scan", "proj/app.py", "--analyzer", "rules", "--tests", "B999"], { cwd: dir });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("B999");
  });

  it("rejects bad levels, unknown analyzers and bad formats with exit 2", () => {
    expect(runCli(["scan", "clean.py", "--severity-level", "extreme"], { cwd: dir }).status).toBe(2);
    const an = runCli(["scan", "clean.py", "--analyzer", "bogus"], { cwd: dir });
    expect(an.status).toBe(2);
    expect(an.stderr).toContain("unknown analyzer");
    expect(runCli(["scan", "clean.py", "--format", "xml"], { cwd: dir }).status).toBe(2);
  });

  it("reads settings from pyproject.toml and YAML config files", () => {
    const cfgDir = join(dir, "cfg");
    mkdirSync(cfgDir, { recursive: true });
    writeFileSync(join(cfgDir, "app.py"), VULNERABLE);
    mkdirSync(join(cfgDir, "skipme"), { recursive: true });
    writeFileSync(join(cfgDir, "skipme", "x.py"), "eval('x')\n");
    writeFileSync(join(cfgDir, "pyproject.toml"), '[tool.securecoderl]\nskips = ["B403"]\nexclude_dirs = ["skipme"]\n');
    const a = scanJson(["."], cfgDir);
    expect(a.report.results.map((r: { test_id: string; filename: string }) => `${r.filename}:${r.test_id}`)).toEqual(["./app.py:B301", "./app.py:B307"]);
    writeFileSync(join(dir, "only-eval.yml"), "tests: [B307]\n");
    const b = scanJson(["proj/app.py", "--config", "only-eval.yml"]);
    expect(b.report.results.map((r: { test_id: string }) => r.test_id)).toEqual(["B307"]);
    writeFileSync(join(dir, "bad.yml"), "colour: blue\n");
    const c = runCli(["scan", "clean.py", "--config", "bad.yml"], { cwd: dir });
    expect(c.status).toBe(2);
    expect(c.stderr).toContain("colour");
  });

  it("writes SARIF 2.1.0 that code scanning accepts", () => {
    const r = runCli(["scan", "proj/app.py", "--format", "sarif", "-o", "out.sarif"], { cwd: dir });
    expect(r.status).toBe(1);
    const sarif = JSON.parse(readFileSync(join(dir, "out.sarif"), "utf8"));
    expect(sarif.version).toBe("2.1.0");
    const run = sarif.runs[0];
    expect(run.tool.driver.name).toBe("securecoderl");
    const rule = run.tool.driver.rules.find((x: { id: string }) => x.id === "B301");
    expect(rule.properties.tags).toEqual(expect.arrayContaining(["security", "external/cwe/cwe-502"]));
    expect(Number(rule.properties["security-severity"])).toBeGreaterThan(0);
    expect(rule.helpUri).toMatch(/^https:\/\/bandit\.readthedocs\.io\//);
    expect(rule.help.text.length).toBeGreaterThan(0);
    const res = run.results.find((x: { ruleId: string }) => x.ruleId === "B301");
    expect(run.tool.driver.rules[res.ruleIndex].id).toBe("B301");
    expect(res.level).toBe("warning");
    expect(res.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: "proj/app.py", uriBaseId: "%SRCROOT%" },
      region: { startLine: 4, startColumn: 12, endLine: 4, endColumn: 30 },
    });
  });

  it("prints a readable text report", () => {
    const r = runCli(["scan", "proj/app.py"], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(">> Issue: [B301:pickle]");
    expect(r.stdout).toContain("Location: proj/app.py:4:11");
    expect(r.stdout).toContain("Total lines of code: 4");
  });

  // The 10 MB file is over the default size limit (an error of its own, at once); scanned with a
  // raised limit it takes about 5 s of CPU (most of it tree-sitter's parse), and the bound leaves
  // room for a loaded machine without hiding a return of the old super-slow path (50-135 s).
  it("survives hostile input: 10 MB files, deep nesting, NUL bytes", { timeout: 180_000 }, () => {
    const hostile = join(dir, "hostile");
    mkdirSync(hostile, { recursive: true });
    writeFileSync(join(hostile, "big.py"), "def f(a):\n    return a + 1\n".repeat(400_000) + "eval('x')\n");
    writeFileSync(join(hostile, "deep.py"), `x = ${"(".repeat(10_000)}eval('y')${")".repeat(10_000)}\n`);
    writeFileSync(join(hostile, "nul.py"), "x = 1\0\neval('z')\n");
    const limited = JSON.parse(runCli(["scan", "--format", "json", "-a", "rules", "hostile"], { cwd: dir }).stdout);
    expect(limited.results.map((r: { filename: string; test_id: string }) => `${r.filename}:${r.test_id}`)).toEqual(["hostile/deep.py:B307"]);
    expect(limited.errors).toEqual([
      { filename: "hostile/big.py", reason: "exception while scanning file", detail: expect.stringMatching(/^file too large to analyse: \d+ bytes, limit 2097152/) },
      { filename: "hostile/nul.py", reason: "syntax error while parsing AST from file", detail: "source code cannot contain null bytes" },
    ]);
    const r = runCli(["scan", "--format", "json", "--max-file-size", "16M", "hostile"], { cwd: dir, timeoutMs: 170_000 });
    const status = r.status;
    const report = JSON.parse(r.stdout);
    expect(status).toBe(1);
    expect(report.results.map((r: { filename: string; test_id: string }) => `${r.filename}:${r.test_id}`)).toEqual(["hostile/big.py:B307", "hostile/deep.py:B307"]);
    // What the detector could not finish on them is said, file by file, with their findings kept.
    expect(report.errors).toEqual([
      { filename: "hostile/big.py", reason: "analysis incomplete", detail: expect.stringMatching(/^vuln: taint analysis stopped after 2000 ms of (CPU|wall) time \(time budget\)$/) },
      { filename: "hostile/deep.py", reason: "analysis incomplete", detail: "vuln: CWE checks skipped: syntax nesting depth 1001 exceeds 1000" },
      { filename: "hostile/nul.py", reason: "syntax error while parsing AST from file", detail: "source code cannot contain null bytes" },
    ]);
  });
  it("runs the rules and the vulnerability detector by default, with taint paths in JSON and SARIF codeFlows", () => {
    writeFileSync(join(dir, "handler.py"), "import os\n\ndef handler():\n    name = input()\n    cmd = 'ls ' + name\n    os.system(cmd)\n");
    const r = runCli(["scan", "--format", "json", "handler.py"], { cwd: dir });
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    // B605 and the detector's VULN-CWE-78 flag the same os.system call: one result, both ids.
    expect(report.results).toHaveLength(1);
    const [merged] = report.results;
    expect(merged).toMatchObject({ analyzer: "rules", test_id: "B605", line_number: 6 });
    const [vuln] = merged.also_reported_by;
    expect(vuln).toMatchObject({ analyzer: "vuln", test_id: "VULN-CWE-78", issue_cwe: { id: 78 } });
    expect(vuln.flow[0].message).toContain("source");
    expect(vuln.flow.at(-1).message).toContain("sink");
    const sarif = JSON.parse(runCli(["scan", "--format", "sarif", "handler.py"], { cwd: dir }).stdout);
    expect(sarif.runs[0].results).toHaveLength(1);
    const taint = sarif.runs[0].results[0];
    expect(taint).toMatchObject({ ruleId: "B605", properties: { also_reported_by: ["VULN-CWE-78"] } });
    expect(taint.codeFlows[0].threadFlows[0].locations.length).toBe(vuln.flow.length);
    // The detector alone still reports its own finding.
    const alone = JSON.parse(runCli(["scan", "--format", "json", "-a", "vuln", "handler.py"], { cwd: dir }).stdout);
    expect(alone.results.map((f: { test_id: string }) => f.test_id)).toEqual(["VULN-CWE-78"]);
  });

  it("lists a file the detector could not finish within --analysis-budget, and keeps its findings", () => {
    mkdirSync(join(dir, "budget"), { recursive: true });
    const views = Array.from({ length: 300 }, (_, i) => `def view${i}(x):\n    y = x + request.args["a"]\n    return view${i + 1}(y) if y else os.system(y)\n`).join("");
    writeFileSync(join(dir, "budget", "app.py"), `import os\nfrom flask import request\n${views}`);
    const r = runCli(["scan", "--format", "json", "--analysis-budget", "1", "budget"], { cwd: dir });
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.errors).toEqual([{ filename: "budget/app.py", reason: "analysis incomplete", detail: expect.stringMatching(/^vuln: taint analysis stopped after 1 ms of (CPU|wall) time/) }]);
    // The rules finish: their findings are reported with the file.
    expect(report.results.filter((f: { test_id: string }) => f.test_id === "B605")).toHaveLength(300);
    expect(r.stderr).toContain("1 file was not fully analysed");
    expect(runCli(["scan", "--analysis-budget", "0", "budget"], { cwd: dir }).status).toBe(2);
  });

  it("adds pyright's type findings with --analyzer types, in the same report", () => {
    writeFileSync(join(dir, "typed.py"), "def f(x: int) -> str:\n    return x + 1\n");
    const r = runCli(["scan", "--format", "json", "--analyzer", "rules,types", "typed.py"], { cwd: dir, timeoutMs: 120_000 });
    expect(r.status, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.results).toEqual([expect.objectContaining({ analyzer: "types", filename: "typed.py", line_number: 2, test_id: "TYPE-reportReturnType" })]);
    expect(report.metrics["typed.py"]["SEVERITY.MEDIUM"]).toBe(1);
  });
});
