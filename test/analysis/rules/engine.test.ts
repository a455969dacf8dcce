import { describe, expect, it } from "vitest";
import { parsePython } from "../../../src/analysis/python/index.js";
import { RuleEngine, filterFindings, parseLevel, parseNosecComment, resolveTestId, selectionPredicate, codeSnippet } from "../../../src/analysis/rules/index.js";
import type { Rule } from "../../../src/analysis/rules/index.js";

const resolve = (w: string) => resolveTestId(w);

describe("parseNosecComment (Bandit 1.9 regexes)", () => {
  it.each([
    ["# nosec", []],
    ["#nosec", []],
    ["# nosec: B301", ["B301"]],
    ["# nosec B301, B403", ["B301", "B403"]],
    ["# nosec B301 B403", ["B301", "B403"]],
    ["# nosec B301,B403", ["B403"]], // only the last repetition of the group survives, as in Python
    ["# nosec eval", ["B307"]],
    ["# nosec because reasons", []],
    ["# nosec B001", ["B001"]], // Bandit's built-in blacklist id is a known test: a named nosec
    ["# type: ignore # nosec B307 # noqa", ["B307"]],
  ])("%s", (comment, ids) => {
    expect([...(parseNosecComment(comment, resolve) ?? new Set(["<none>"]))].sort()).toEqual([...ids].sort());
  });

  it("is null for other comments", () => {
    expect(parseNosecComment("# noqa", resolve)).toBeNull();
    expect(parseNosecComment("# NOSEC", resolve)).toBeNull();
  });
});

// A test rule exercising the API: options, relocation, line override.
const probe: Rule = {
  id: "B307",
  name: "eval",
  cwe: 78,
  severity: "MEDIUM",
  description: "probe",
  nodeTypes: ["call"],
  configKey: "probe_options",
  defaultOptions: { names: ["eval"], level: "LOW" },
  check(node, ctx) {
    const names = ctx.options.names as string[];
    if (!names.includes(ctx.callName(node))) return null;
    const arg = ctx.callArgs(node).positional[0];
    return [
      { severity: ctx.options.level as "LOW", confidence: "HIGH", message: `call to ${ctx.callName(node)}` },
      ...(arg ? [{ severity: "HIGH" as const, confidence: "LOW" as const, message: "argument", node: arg, cwe: 94 }] : []),
    ];
  },
};

describe("RuleEngine", () => {
  const src = "x = 1\nvalue = run(\n    'a',\n)\neval('b')\n";
  const m = parsePython(src, "probe.py");

  it("merges config options over defaults and relocates hits to another node", () => {
    const r = new RuleEngine({ rules: [probe], ruleOptions: { probe_options: { names: ["run"] } } }).run(m);
    expect(r.findings.map((f) => [f.line_number, f.line_range, f.col_offset, f.issue_severity, f.issue_cwe.id, f.issue_text])).toEqual([
      [2, [2, 3, 4], 8, "LOW", 78, "call to run"],
      [3, [3], 4, "HIGH", 94, "argument"],
    ]);
    expect(r.findings[0]!.code).toBe("1 x = 1\n2 value = run(\n3     'a',\n4 )\n5 eval('b')\n");
  });

  it("skips disabled rules entirely", () => {
    expect(new RuleEngine({ rules: [probe], selection: { skips: ["B307"] } }).run(m).findings).toEqual([]);
  });
});

describe("selection and filters", () => {
  it("accepts ids and names, rejects unknown ones", () => {
    const p = selectionPredicate({ tests: ["eval", "B301"], skips: ["B301"] });
    expect([p("B307"), p("B301"), p("B403")]).toEqual([true, false, false]);
    expect(() => selectionPredicate({ tests: ["B999"] })).toThrow(/B999/);
  });

  it("filters by severity and confidence levels", () => {
    const f = (s: "LOW" | "MEDIUM" | "HIGH", c: "LOW" | "MEDIUM" | "HIGH") => ({ issue_severity: s, issue_confidence: c }) as never;
    const all = [f("LOW", "HIGH"), f("MEDIUM", "LOW"), f("HIGH", "MEDIUM")];
    expect(filterFindings(all, "medium", "all")).toHaveLength(2);
    expect(filterFindings(all, "all", "medium")).toHaveLength(2);
    expect(filterFindings(all, "high", "high")).toHaveLength(0);
    expect(() => parseLevel("extreme")).toThrow();
  });
});

describe("codeSnippet (Bandit's get_code)", () => {
  it("shows the range plus one line each side (two after at the top of the file), stopping at the end", () => {
    const lines = ["a", "b", "c", ""];
    expect(codeSnippet(lines, 1, 1)).toBe("1 a\n2 b\n3 c\n");
    expect(codeSnippet(lines, 3, 1)).toBe("2 b\n3 c\n");
  });
});

describe("appliesTo (per-module text test)", () => {
  const seen: string[] = [];
  const gated: Rule = {
    id: "B102",
    name: "exec_used",
    cwe: 78,
    severity: "MEDIUM",
    description: "gated probe",
    nodeTypes: ["call", "function_definition"],
    defaultOptions: { word: "danger" },
    appliesTo: (source, options) => source.includes(options.word as string),
    check(node) {
      seen.push(node.type);
      return { severity: "LOW", confidence: "LOW", message: "gated" };
    },
  };
  const always: Rule = { ...gated, id: "B101", name: "assert_used", nodeTypes: ["call"], appliesTo: undefined, check: () => null };
  const engine = new RuleEngine({ rules: [gated, always] });

  it("skips a rule for modules its test rules out, and runs it elsewhere", () => {
    seen.length = 0;
    expect(engine.run(parsePython("def f():\n    g()\n")).findings).toEqual([]);
    expect(seen).toEqual([]);
    const r = engine.run(parsePython("def danger():\n    g()\n"));
    expect(r.findings.map((f) => `${f.test_id}:${f.line_number}`)).toEqual(["B102:1", "B102:2"]);
    expect(seen).toEqual(["function_definition", "call"]);
  });

  it("passes the rule's configured options to the test", () => {
    const configured = new RuleEngine({ rules: [gated], ruleOptions: { exec_used: { word: "g" } } });
    expect(configured.run(parsePython("def f():\n    g()\n")).findings).toHaveLength(2);
  });
});
