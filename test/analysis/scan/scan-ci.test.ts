import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../helpers.js";

// `scan` as Bandit users drive it in CI: -r, -l/-ll/-lll, -i/-ii/-iii, -q, --exit-zero, -b/--baseline,
// CSV and HTML, exit 2 for a missing path, and files that are not regular files.

let dir: string;
type Result = { filename: string; test_id: string; line_number: number; also_reported_by?: { test_id: string }[] };

const HANDLER = "import os\n\ndef handler():\n    name = input()\n    cmd = 'ls ' + name\n    os.system(cmd)\n";
const MIXED = "import pickle\nimport random\n\ndef load(data):\n    return pickle.loads(data)\n\ntoken = random.random()\nassert token\n";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "scrl-scan-ci-"));
  mkdirSync(join(dir, "repo", "pkg"), { recursive: true });
  writeFileSync(join(dir, "repo", "handler.py"), HANDLER);
  writeFileSync(join(dir, "repo", "pkg", "mixed.py"), MIXED);
  writeFileSync(join(dir, "repo", "pkg", "clean.py"), "def add(a, b):\n    return a + b\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scan(args: string[]) {
  const r = runCli(["scan", ...args], { cwd: dir });
  return { ...r, report: r.stdout.startsWith("{") ? (JSON.parse(r.stdout) as { results: Result[]; errors: { filename: string; detail?: string }[] }) : null };
}
const ids = (rs: Result[]) => rs.map((r) => `${r.filename}:${r.test_id}`);

describe("scan for CI", () => {
  it("-l/-ll/-lll and -i/-ii/-iii filter like Bandit's counted flags; -r is accepted", () => {
    const all = scan(["-r", "-f", "json", "-a", "rules", "repo"]).report!.results;
    const sev = (r: Result) => (r as unknown as { issue_severity: string }).issue_severity;
    const conf = (r: Result) => (r as unknown as { issue_confidence: string }).issue_confidence;
    expect(new Set(all.map(sev))).toEqual(new Set(["LOW", "MEDIUM", "HIGH"]));
    expect(scan(["-l", "-f", "json", "-a", "rules", "repo"]).report!.results).toHaveLength(all.length);
    expect(scan(["-ll", "-f", "json", "-a", "rules", "repo"]).report!.results).toEqual(all.filter((r) => sev(r) !== "LOW"));
    expect(scan(["-lll", "-f", "json", "-a", "rules", "repo"]).report!.results).toEqual(all.filter((r) => sev(r) === "HIGH"));
    expect(scan(["-iii", "-f", "json", "-a", "rules", "repo"]).report!.results).toEqual(all.filter((r) => conf(r) === "HIGH"));
    // The named form still works and the stricter of the two wins.
    expect(scan(["-l", "--severity-level", "high", "-f", "json", "-a", "rules", "repo"]).report!.results).toEqual(all.filter((r) => sev(r) === "HIGH"));
  });

  it("--exit-zero exits 0 with findings; a path that does not exist exits 2 instead of 'No issues'", () => {
    expect(scan(["repo"]).status).toBe(1);
    expect(scan(["--exit-zero", "repo"]).status).toBe(0);
    const missing = scan(["repo", "no-such-dir"]);
    expect(missing.status).toBe(2);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toContain("no such file or directory: no-such-dir");
  });

  it("-q keeps stderr quiet; without it, files that could not be scanned are noted there", () => {
    writeFileSync(join(dir, "broken.py"), "def f(:\n");
    expect(scan(["-f", "json", "broken.py"]).stderr).toContain("1 file could not be scanned");
    expect(scan(["-q", "-f", "json", "broken.py"]).stderr).toBe("");
    expect(scan(["--silent", "-f", "json", "broken.py"]).stderr).toBe("");
  });

  it("a FIFO, a device and a .py symlink to /dev/zero are per-file errors, promptly; the other files are scanned", () => {
    const odd = join(dir, "odd");
    mkdirSync(odd, { recursive: true });
    writeFileSync(join(odd, "real.py"), "eval('x')\n");
    execFileSync("mkfifo", [join(odd, "pipe.py")]);
    symlinkSync("/dev/zero", join(odd, "zero.py"));
    const r = runCli(["scan", "-f", "json", "-a", "rules", "odd", "odd/pipe.py", "/dev/zero"], { cwd: dir, timeoutMs: 60_000 });
    expect(r.error).toBeUndefined(); // not killed by the timeout
    const report = JSON.parse(r.stdout) as { results: Result[]; errors: { filename: string; detail: string }[] };
    expect(ids(report.results)).toEqual(["odd/real.py:B307"]);
    expect(report.errors.map((e) => `${e.filename}: ${e.detail}`).sort()).toEqual([
      "/dev/zero: cannot read: a character device, not a regular file",
      "odd/pipe.py: cannot read: a FIFO, not a regular file",
      "odd/zero.py: cannot read: a character device, not a regular file",
    ]);
  });

  it("CSV has Bandit's columns plus analyzer and also_reported_by; one row per problem", () => {
    const r = scan(["-f", "csv", "repo/handler.py"]);
    expect(r.status).toBe(1);
    const [header, ...rows] = r.stdout.trimEnd().split("\r\n");
    expect(header).toBe("filename,test_name,test_id,issue_severity,issue_confidence,issue_cwe,issue_text,line_number,col_offset,end_col_offset,line_range,more_info,analyzer,also_reported_by");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/^repo\/handler\.py,start_process_with_a_shell,B605,HIGH,HIGH,https:\/\/cwe\.mitre\.org\/data\/definitions\/78\.html,.*,6,4,18,\[6\],https:\/\/bandit[^,]*,rules,VULN-CWE-78$/);
  });

  it("HTML is one escaped, self-contained page with both ids of a merged finding", () => {
    writeFileSync(join(dir, "<script>alert(1)<!--.py"), "eval('x')\n");
    const r = scan(["-f", "html", "repo/handler.py", "<script>alert(1)<!--.py"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^<!DOCTYPE html>/);
    expect(r.stdout).not.toContain("<script");
    expect(r.stdout).toContain("&lt;script&gt;alert(1)&lt;!--.py");
    expect(r.stdout).toMatch(/<code>B605<\/code>[^<]*\+ <code>VULN-CWE-78<\/code>/);
    expect(r.stdout).not.toMatch(/<(link|img|iframe)\b|src=/);
  });

  it("--baseline: after adding one vulnerable file to a folder, only that file's findings are reported", () => {
    const base = join(dir, "base.json");
    const first = scan(["-f", "json", "-o", base, "repo"]);
    expect(first.status).toBe(1);
    const before = JSON.parse(readFileSync(base, "utf8")) as { results: Result[] };
    expect(before.results.length).toBeGreaterThan(2);
    // Unchanged folder: nothing new, exit 0.
    const same = scan(["-f", "json", "-b", base, "repo"]);
    expect(same.status).toBe(0);
    expect(same.report!.results).toEqual([]);
    // Known findings moved down by an edit above them stay known (matched without line numbers).
    writeFileSync(join(dir, "repo", "handler.py"), `"""Handlers."""\n\n${HANDLER}`);
    writeFileSync(join(dir, "repo", "pkg", "added.py"), "import subprocess\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n\nresult = eval(input())\n");
    const after = scan(["-f", "json", "-b", base, "repo"]);
    expect(after.status).toBe(1);
    const alone = scan(["-f", "json", "repo/pkg/added.py"]).report!.results;
    expect(alone.length).toBeGreaterThan(1);
    expect(after.report!.results).toEqual(alone);
    expect(new Set(after.report!.results.map((r) => r.filename))).toEqual(new Set(["repo/pkg/added.py"]));
    // A second identical finding in a known file is new: one baseline entry accounts for one finding.
    writeFileSync(join(dir, "repo", "pkg", "mixed.py"), `${MIXED}\ndef load2(data):\n    return pickle.loads(data)\n`);
    const again = scan(["-f", "json", "-b", base, "repo"]).report!.results;
    expect(ids(again)).toContain("repo/pkg/mixed.py:B301");
    expect(ids(again).filter((x) => x === "repo/pkg/mixed.py:B301")).toHaveLength(1);
  });

  it("a baseline that is not a JSON report is a usage error (exit 2)", () => {
    writeFileSync(join(dir, "not-a-report.json"), "[1, 2]\n");
    const r = scan(["-b", "not-a-report.json", "repo"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("not a JSON scan report");
    expect(scan(["-b", "missing.json", "repo"]).status).toBe(2);
  });
});
