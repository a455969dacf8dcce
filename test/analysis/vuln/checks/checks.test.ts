/**
 * Fixture tests for the CWE-specific checks: each fixture marks the lines that must be reported with
 * `# expect: VULN-CWE-<id>` (several ids allowed); every other line must stay clean.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parsePython } from "../../../../src/analysis/python/index.js";
import { runChecks } from "../../../../src/analysis/vuln/checks/index.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

function expected(source: string): string[] {
  const out: string[] = [];
  source.split("\n").forEach((line, i) => {
    const m = /# expect: (.*)$/.exec(line);
    if (m) for (const id of m[1]!.trim().split(/\s+/)) out.push(`${i + 1} ${id}`);
  });
  return out.sort();
}

describe("vuln checks fixtures", () => {
  for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith(".py"))) {
    it(`${file}: reports exactly the marked lines`, () => {
      const source = readFileSync(join(FIXTURES, file), "utf8");
      // `# check-context: parameters-are-input` reads the file as task code (parameters are attacker
      // input); `# context: cwe=N` names the task's CWE.
      const cwe = /^# context: .*\bcwe=(\d+)/m.exec(source)?.[1];
      const findings = runChecks(parsePython(source, file), { parametersAreInput: /^# check-context: parameters-are-input$/m.test(source), ...(cwe ? { cwe } : {}) });
      const actual = [...new Set(findings.map((f) => `${f.line_number} ${f.test_id}`))].sort();
      expect(actual).toEqual(expected(source));
      for (const f of findings) {
        expect(f.analyzer).toBe("vuln");
        expect(f.test_id).toBe(`VULN-CWE-${f.issue_cwe.id}`);
        expect(f.issue_cwe.link).toContain(String(f.issue_cwe.id));
        expect(f.code).toContain(String(f.line_number));
        expect(f.issue_text.length).toBeGreaterThan(10);
      }
    });
  }
});

describe("vuln checks context", () => {
  it("limits function-level checks to the entry function when one is named", () => {
    const source = readFileSync(join(FIXTURES, "authorization.py"), "utf8");
    const findings = runChecks(parsePython(source), { entryFunction: "view_profile_checked" });
    expect(findings.filter((f) => f.issue_cwe.id === 862 || f.issue_cwe.id === 863)).toEqual([]);
    const entry = runChecks(parsePython(source), { entryFunction: "view_profile" });
    expect(entry.map((f) => f.issue_cwe.id)).toContain(862);
  });

  it("ignores a definition that a later one of the same name replaces", () => {
    const source = [
      "PROFILES = {1: 'a'}",
      "def view(actor: int, target: int):",
      "    return PROFILES[target]",
      "def view(actor: int, target: int):",
      "    if actor != target:",
      "        raise PermissionError()",
      "    return PROFILES[target]",
    ].join("\n");
    expect(runChecks(parsePython(source), { entryFunction: "view" })).toEqual([]);
  });

  it("accepts a configured hash allow-list", () => {
    const source = ["import hashlib", "def h(name: str, d: bytes):", "    if name not in ['sha256', 'md5']:", "        raise ValueError()", "    return hashlib.new(name, d)"].join("\n");
    expect(runChecks(parsePython(source), { parametersAreInput: true }).map((f) => f.test_id)).toEqual(["VULN-CWE-327"]);
    expect(runChecks(parsePython(source), { parametersAreInput: true, allowedHashes: ["sha256", "md5"] })).toEqual([]);
    // In a plain scan the algorithm parameter is the caller's own choice.
    expect(runChecks(parsePython(source))).toEqual([]);
  });
});

describe("vuln checks on hostile input", () => {
  it("survives deep nesting, syntax errors, NUL bytes and large files", () => {
    const deep = "x = " + "(".repeat(3000) + "1" + ")".repeat(3000) + "\n";
    const nestedIfs = Array.from({ length: 300 }, (_, i) => `${" ".repeat(i)}if a:`).join("\n") + `\n${" ".repeat(300)}CACHE[k] = v\n`;
    const broken = "def f(request:\n    DB[x] = request['body']\n  )))\n";
    const nul = "import hashlib\x00\nhashlib.md5(b'x')\n";
    const big = "import re\n" + Array.from({ length: 500 }, (_, i) => `def f${i}(s):\n    return re.findall(r'<(.*?)>', s)\n`).join("");
    for (const src of [deep, nestedIfs, broken, nul, big, "", "\uFFFD\uFFFD"]) {
      expect(() => runChecks(parsePython(src))).not.toThrow();
    }
    // Every function is live and flagged (ReDoS and unbounded result each).
    expect(runChecks(parsePython(big), { parametersAreInput: true }).filter((f) => f.test_id === "VULN-CWE-1333").length).toBe(500);
  });
});
