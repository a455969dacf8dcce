/**
 * Fixture tests for the Bandit plugin rules (B1xx-B7xx, blacklists excluded). Each fixture file
 * `fixtures/bNNN_<name>.py` marks every expected finding of its rule with a trailing comment
 * `# expect: BNNN SEVERITY CONFIDENCE` (several separated by ";") on the line Bandit reports;
 * lines without a mark must produce nothing. The full findings are also pinned in
 * `__snapshots__/bNNN_<name>.json` (positions, ranges and messages). A fixture may set rule options
 * with a `# rule-options: {"section": {...}}` line (Bandit's name-only password matches, for one).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parsePython } from "../../../../src/analysis/python/index.js";
import { runRules } from "../../../../src/analysis/rules/index.js";
import type { Rule, RuleOptionsByKey } from "../../../../src/analysis/rules/index.js";
import { pluginRules } from "../../../../src/analysis/rules/plugins/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const fixtureDir = join(here, "fixtures");

interface Expected {
  line: number;
  id: string;
  severity: string;
  confidence: string;
}

function expectations(source: string): Expected[] {
  const out: Expected[] = [];
  source.split("\n").forEach((line, i) => {
    const m = /# expect: (.*)$/.exec(line);
    if (!m) return;
    for (const part of m[1]!.split(";")) {
      const [id, severity, confidence] = part.trim().split(/\s+/);
      out.push({ line: i + 1, id: id!, severity: severity!, confidence: confidence! });
    }
  });
  return out;
}

function ruleFor(file: string): Rule {
  const id = file.slice(0, 4).toUpperCase();
  const rule = pluginRules.find((r) => r.id === id);
  if (!rule) throw new Error(`no rule registered for fixture ${file}`);
  return rule;
}

function scan(rule: Rule, source: string, filename: string, ruleOptions?: RuleOptionsByKey) {
  return runRules(parsePython(source, filename), { rules: [rule], ruleOptions }).findings;
}

/** Rule options a fixture asks for in a `# rule-options: {json}` line (config sections by key). */
function fixtureOptions(source: string): RuleOptionsByKey | undefined {
  const m = /^# rule-options: (.*)$/m.exec(source);
  return m ? (JSON.parse(m[1]!) as RuleOptionsByKey) : undefined;
}

const key = (e: Expected) => `${e.line} ${e.id} ${e.severity} ${e.confidence}`;
const fixtures = readdirSync(fixtureDir).filter((f) => /^b\d{3}_.*\.py$/.test(f)).sort();

describe("plugin rule fixtures", () => {
  it("has a fixture for every plugin rule", () => {
    const covered = new Set(fixtures.map((f) => f.slice(0, 4).toUpperCase()));
    expect(pluginRules.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  for (const file of fixtures) {
    it(`${file}: findings match the # expect marks`, async () => {
      const source = readFileSync(join(fixtureDir, file), "utf8");
      const rule = ruleFor(file);
      const findings = scan(rule, source, `fixtures/${file}`, fixtureOptions(source));
      const expected = expectations(source).filter((e) => e.id === rule.id).map(key).sort();
      const actual = findings
        .map((f) => key({ line: f.line_number, id: f.test_id, severity: f.issue_severity, confidence: f.issue_confidence }))
        .sort();
      expect(actual).toEqual(expected);
      if (!file.endsWith("_clean.py")) expect(expected.length).toBeGreaterThan(0);
      const snapshot = findings.map((f) => ({
        test_id: f.test_id,
        test_name: f.test_name,
        issue_severity: f.issue_severity,
        issue_confidence: f.issue_confidence,
        issue_cwe: f.issue_cwe.id,
        line_number: f.line_number,
        line_range: f.line_range,
        col_offset: f.col_offset,
        issue_text: f.issue_text,
      }));
      await expect(JSON.stringify(snapshot, null, 2) + "\n").toMatchFileSnapshot(join(here, "__snapshots__", file.replace(/\.py$/, ".json")));
    });
  }
});

describe("plugin rule options", () => {
  const byId = (id: string) => pluginRules.find((r) => r.id === id)!;

  it("B101 skips files matching the assert_used skips patterns", () => {
    const src = "assert x\n";
    expect(scan(byId("B101"), src, "pkg/test_thing.py")).toHaveLength(1);
    expect(scan(byId("B101"), src, "pkg/test_thing.py", { assert_used: { skips: ["*/test_*.py"] } })).toHaveLength(0);
  });

  it("B108 reads tmp_dirs from its config section", () => {
    const src = 'a = "/scratch/x"\nb = "/tmp/x"\n';
    expect(scan(byId("B108"), src, "m.py").map((f) => f.line_number)).toEqual([2]);
    expect(scan(byId("B108"), src, "m.py", { hardcoded_tmp_directory: { tmp_dirs: ["/scratch"] } }).map((f) => f.line_number)).toEqual([1]);
  });

  it("B110/B112 report typed handlers when check_typed_exception is set", () => {
    const src = "for i in x:\n    try:\n        f()\n    except ValueError:\n        pass\n    try:\n        f()\n    except KeyError:\n        continue\n";
    expect(scan(byId("B110"), src, "m.py")).toHaveLength(0);
    expect(scan(byId("B110"), src, "m.py", { try_except_pass: { check_typed_exception: true } })).toHaveLength(1);
    expect(scan(byId("B112"), src, "m.py", { try_except_continue: { check_typed_exception: true } })).toHaveLength(1);
  });

  it("the shell-injection family reads its function lists from shell_injection", () => {
    const src = "import mylib\nmylib.run_cmd(cmd, shell=True)\nmylib.spawn('ls')\n";
    const options = { shell_injection: { subprocess: ["mylib.run_cmd"], shell: [], no_shell: ["mylib.spawn"] } };
    expect(scan(byId("B602"), src, "m.py")).toHaveLength(0);
    expect(scan(byId("B604"), src, "m.py")).toHaveLength(1);
    expect(scan(byId("B602"), src, "m.py", options).map((f) => f.issue_severity)).toEqual(["HIGH"]);
    expect(scan(byId("B604"), src, "m.py", options)).toHaveLength(0);
    expect(scan(byId("B606"), src, "m.py", options).map((f) => f.line_number)).toEqual([3]);
    expect(scan(byId("B607"), src, "m.py", options).map((f) => f.line_number)).toEqual([3]);
  });

  it("B502/B503 read bad_protocol_versions from ssl_with_bad_version", () => {
    const src = "import ssl\nssl.wrap_socket(s, ssl_version=ssl.PROTOCOL_TLSv1_2)\ndef f(v=ssl.PROTOCOL_TLSv1_2):\n    pass\n";
    const options = { ssl_with_bad_version: { bad_protocol_versions: ["PROTOCOL_TLSv1_2"] } };
    expect(scan(byId("B502"), src, "m.py")).toHaveLength(0);
    expect(scan(byId("B502"), src, "m.py", options)).toHaveLength(1);
    expect(scan(byId("B503"), src, "m.py", options)).toHaveLength(1);
  });

  it("B505 thresholds come from the weak_cryptographic_key section", () => {
    const src = "from cryptography.hazmat.primitives.asymmetric import rsa\nrsa.generate_private_key(65537, 2048)\n";
    expect(scan(byId("B505"), src, "m.py")).toHaveLength(0);
    expect(scan(byId("B505"), src, "m.py", { weak_cryptographic_key: { weak_key_size_rsa_medium: 3072 } }).map((f) => f.issue_severity)).toEqual(["MEDIUM"]);
  });

  it("B704 honours extend_markup_names and allowed_calls", () => {
    const src = "import bleach\nimport webhelpers.html\nfrom markupsafe import Markup\nwebhelpers.html.literal(x)\nMarkup(bleach.clean(x))\n";
    expect(scan(byId("B704"), src, "m.py").map((f) => f.line_number)).toEqual([5]);
    const options = { markupsafe_xss: { extend_markup_names: ["webhelpers.html.literal"], allowed_calls: ["bleach.clean"] } };
    expect(scan(byId("B704"), src, "m.py", options).map((f) => f.line_number)).toEqual([4]);
  });
});

describe("plugin rule robustness", () => {
  it("survives deeply nested expressions and long concatenations", () => {
    const deep = `x = ${"(".repeat(2000)}1${")".repeat(2000)}\n`;
    const chain = `q = "SELECT * FROM t WHERE a = " + ${Array.from({ length: 5000 }, (_, i) => `v${i}`).join(" + ")}\n`;
    for (const rule of pluginRules) {
      expect(() => scan(rule, deep + chain, "m.py")).not.toThrow();
    }
    // CPython cannot build an ast that deep (RecursionError), so Bandit reports nothing; neither do we.
    expect(scan(pluginRules.find((r) => r.id === "B608")!, chain, "m.py")).toHaveLength(0);
    const shortChain = `q = "SELECT * FROM t WHERE a = " + ${Array.from({ length: 300 }, (_, i) => `v${i}`).join(" + ")}\n`;
    expect(scan(pluginRules.find((r) => r.id === "B608")!, shortChain, "m.py")).toHaveLength(1);
  });

  it("tolerates syntax errors and odd input", () => {
    const bad = "def f(:\n  subprocess.Popen(cmd, shell=True\nexec(\x00)\n'\u202e'\n";
    for (const rule of pluginRules) expect(() => scan(rule, bad, "m.py")).not.toThrow();
  });
});
