/** The plugin rules through the real `securecoderl scan` command, as a user runs them. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../../helpers.js";

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => join(here, "fixtures", name);

interface JsonResult {
  test_id: string;
  issue_severity: string;
  issue_confidence: string;
  line_number: number;
  analyzer: string;
  issue_cwe: { id: number };
}

function scanJson(args: string[]): JsonResult[] {
  const r = runCli(["scan", "--format", "json", ...args]);
  expect(r.status, r.stderr).not.toBe(2);
  return (JSON.parse(r.stdout) as { results: JsonResult[] }).results;
}

function marks(file: string, id: string): string[] {
  const out: string[] = [];
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      const m = /# expect: (.*)$/.exec(line);
      if (!m) return;
      for (const part of m[1]!.split(";")) {
        const [mid, sev, conf] = part.trim().split(/\s+/);
        if (mid === id) out.push(`${i + 1} ${sev} ${conf}`);
      }
    });
  return out.sort();
}

const tmp = mkdtempSync(join(tmpdir(), "plugins-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("securecoderl scan with plugin rules", () => {
  it.each([
    ["b602_subprocess_popen_with_shell_equals_true.py", "B602"],
    ["b608_hardcoded_sql_expressions.py", "B608"],
    ["b202_tarfile_unsafe_members.py", "B202"],
  ])("%s: JSON results match the expect marks (%s)", (file, id) => {
    const results = scanJson(["-a", "rules", "-t", id, fixture(file)]);
    expect(results.every((r) => r.analyzer === "rules" && r.test_id === id)).toBe(true);
    expect(results.map((r) => `${r.line_number} ${r.issue_severity} ${r.issue_confidence}`).sort()).toEqual(marks(fixture(file), id));
  });

  it("honours shell_injection lists from a config file and --ignore-nosec", () => {
    const src = join(tmp, "wrapped.py");
    writeFileSync(src, "import mylib\nmylib.run_cmd(cmd, shell=True)\nmylib.run_cmd(cmd, shell=True)  # nosec\n");
    const cfg = join(tmp, "bandit.yaml");
    writeFileSync(cfg, "shell_injection:\n  subprocess: [mylib.run_cmd]\n  shell: []\n  no_shell: []\n");
    expect(scanJson(["-a", "rules", "-t", "B602,B604", src]).map((r) => `${r.test_id}:${r.line_number}`)).toEqual(["B604:2"]);
    expect(scanJson(["-a", "rules", "-t", "B602,B604", "-c", cfg, src]).map((r) => `${r.test_id}:${r.line_number}`)).toEqual(["B602:2"]);
    expect(scanJson(["-a", "rules", "-t", "B602,B604", "-c", cfg, "--ignore-nosec", src]).map((r) => `${r.test_id}:${r.line_number}`)).toEqual([
      "B602:2",
      "B602:3",
    ]);
  });

  it("reports CWE ids in Bandit's shape and filters by severity", () => {
    const results = scanJson(["-a", "rules", "-t", "B609", "-lll", fixture("b609_linux_commands_wildcard_injection.py")]);
    expect(results.length).toBeGreaterThan(0);
    expect(new Set(results.map((r) => r.issue_cwe.id))).toEqual(new Set([155]));
  });
});
