import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CALL_BLACKLIST, IMPORT_BLACKLIST, fnmatch } from "../../../../src/analysis/rules/blacklist/index.js";
import { scanSource } from "../../../../src/analysis/scan/index.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const MY_IDS = [...CALL_BLACKLIST, ...IMPORT_BLACKLIST].map((e) => e.id).concat("B324");

/** "line:id" for every `# expect: Bxxx` marker in a fixture. */
function expectedMarkers(code: string): string[] {
  const out: string[] = [];
  code.split("\n").forEach((line, i) => {
    for (const m of line.matchAll(/# expect: (B\d{3})/g)) out.push(`${i + 1}:${m[1]}`);
  });
  return out.sort();
}

const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith(".py")).sort();

describe("blacklist fixtures", () => {
  it("has fixtures", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(7);
  });

  for (const file of fixtures) {
    it(`${file}: reports exactly the marked lines`, () => {
      const code = readFileSync(join(FIXTURES, file), "utf8");
      const { findings, errors } = scanSource(code, { filename: file, tests: MY_IDS });
      expect(errors).toEqual([]);
      expect(findings.map((f) => `${f.line_number}:${f.test_id}`).sort()).toEqual(expectedMarkers(code));
      const rows = findings.map(
        (f) => `${f.line_number}:${f.col_offset} ${f.test_id} ${f.test_name} ${f.issue_severity}/${f.issue_confidence} CWE-${f.issue_cwe.id} ${f.issue_text}`,
      );
      expect(rows).toMatchSnapshot();
    });
  }

  it("counts nosec suppressions as Bandit does", async () => {
    const code = readFileSync(join(FIXTURES, "nosec.py"), "utf8");
    const { scanPaths } = await import("../../../../src/analysis/scan/index.js");
    const report = await scanPaths([join(FIXTURES, "nosec.py")], { tests: MY_IDS });
    const m = report.metrics[join(FIXTURES, "nosec.py")]!;
    expect(m.nosec).toBe(4);
    expect(m.skipped_tests).toBe(4);
    const all = scanSource(code, { tests: MY_IDS, ignoreNosec: true }).findings;
    expect(all.length).toBe(report.results.length + 8);
  });
});

describe("blacklist selection", () => {
  it("reports the next matching entry when the first is skipped (one issue per import)", () => {
    const code = "import pickle, subprocess\n";
    expect(scanSource(code).findings.map((f) => f.test_id)).toEqual(["B403"]);
    expect(scanSource(code, { skips: ["B403"] }).findings.map((f) => f.test_id)).toEqual(["B404"]);
    expect(scanSource(code, { tests: ["import_subprocess"] }).findings.map((f) => f.test_id)).toEqual(["B404"]);
  });

  it("takes B001 as every blacklist id unless a blacklist id is named too", () => {
    const code = "import pickle\nassert pickle\n";
    const ids = (sel: { tests?: string[]; skips?: string[] }) => scanSource(code, sel).findings.map((f) => f.test_id);
    expect(ids({ tests: ["B001"] })).toEqual(["B403"]);
    expect(ids({ tests: ["B001", "B404"] })).toEqual([]);
    expect(ids({ skips: ["B001"] })).toEqual(["B101"]);
    expect(ids({ skips: ["B001", "B404"] })).toEqual(["B403", "B101"]);
  });

  it("resolves aliases only after the import", () => {
    const code = "p.loads(b'')\nimport pickle as p\np.loads(b'')\n";
    expect(scanSource(code, { tests: ["B301"] }).findings.map((f) => f.line_number)).toEqual([3]);
  });
});

describe("fnmatch", () => {
  it.each([
    ["telnetlib.Telnet", "telnetlib.*", true],
    ["telnetlib", "telnetlib.*", false],
    ["a.b", "a.?", true],
    ["a.b", "a.[!b]", false],
    ["eval", "eval", true],
    ["Eval", "eval", false],
  ])("%s ~ %s = %s", (name, pattern, expected) => {
    expect(fnmatch(name, pattern)).toBe(expected);
  });
});
