import { describe, expect, it } from "vitest";
import {
  callArgs,
  callQualName,
  colOffset,
  endColOffset,
  lineRange,
  literalValue,
  parsePython,
  qualifiedName,
  stringValue,
  walkPreorder,
  walkTypes,
  unparenthesize,
  type ParsedModule,
  type PyValue,
  type SyntaxNode,
} from "../../../src/analysis/python/index.js";

function calls(m: ParsedModule): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  walkTypes(m.root, new Set(["call"]), (n) => out.push(n));
  return out;
}

function firstExpr(m: ParsedModule): SyntaxNode {
  // module > expression_statement > expr, or assignment right-hand side
  const stmt = m.root.namedChild(0)!;
  const e = stmt.namedChild(0)!;
  return e.type === "assignment" ? e.childForFieldName("right")! : e;
}

const show = (v: PyValue | undefined) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}n` : x));

describe("parsePython", () => {
  it("parses valid code without errors and keeps lines", () => {
    const m = parsePython("import os\nos.system('ls')\n", "x.py");
    expect(m.hasErrors).toBe(false);
    expect(m.filename).toBe("x.py");
    expect(m.lines.slice(0, 2)).toEqual(["import os", "os.system('ls')"]);
  });

  it.each([
    ["def f(:\n  pass\n", 1],
    ["x = (1,\n", 1],
    ['print "python 2"\n', 1],
    ["exec 'code'\n", 1],
    ["x = 1\0\n", 1],
    ["if x\n    y = 1\n", 1],
  ])("reports syntax errors Python 3 would raise: %j", (src, line) => {
    const m = parsePython(src);
    expect(m.hasErrors).toBe(true);
    expect(m.errorRanges[0]!.line).toBe(line);
  });

  it("reads old Mac line endings and a leading BOM as Python does", () => {
    const m = parsePython("\ufeffimport os\rx = 1\r\ny = 2\n");
    expect(m.hasErrors).toBe(false);
    expect(m.lines.slice(0, 3)).toEqual(["import os", "x = 1", "y = 2"]);
    expect(m.root.namedChildCount).toBe(3);
  });

  it("accepts print as a function", () => {
    expect(parsePython("print('x')\nprint(1, end='')\n").hasErrors).toBe(false);
  });

  it("handles 10k-deep nesting without overflowing the stack", () => {
    const src = `x = ${"(".repeat(10000)}1${")".repeat(10000)}\n`;
    const m = parsePython(src);
    let count = 0;
    walkPreorder(m.root, () => {
      count++;
    });
    expect(count).toBeGreaterThan(10000);
    expect(literalValue(firstExpr(m), src)).toEqual({ kind: "int", value: 1n });
    const lists = `x = ${"[".repeat(5000)}${"]".repeat(5000)}\n`;
    expect(() => literalValue(firstExpr(parsePython(lists)), lists)).not.toThrow();
  });

  it("parses a large file (2 MB; the 10 MB case runs through the scan CLI tests)", () => {
    const src = "def f(a):\n    return a + 1\n".repeat(80_000);
    const m = parsePython(src);
    expect(m.hasErrors).toBe(false);
    expect(m.root.namedChildCount).toBe(80_000);
  });
});

describe("imports and qualified names", () => {
  const src = [
    "import subprocess as sp",
    "from os import system, path as p",
    "import xml.etree.ElementTree",
    "from . import sibling as sib",
    "from .pkg import thing",
    "def f():",
    "    import pickle as pk",
    "    return pk.loads(b'')",
    "sp.Popen('ls', shell=True)",
    "system('id')",
    "p.join('a', 'b')",
    "xml.etree.ElementTree.parse('x')",
    "sib.go()",
    "thing()",
    "open('x').read()",
    "(sp).call([])",
    "later()",
    "from mod import later",
  ].join("\n");
  const m = parsePython(src);

  it("resolves aliases like Bandit (module-wide, in source order)", () => {
    expect(calls(m).map((c) => callQualName(c, m))).toEqual([
      "pickle.loads",
      "subprocess.Popen",
      "os.system",
      "os.path.join",
      "xml.etree.ElementTree.parse",
      "sibling.go",
      "pkg.thing",
      ".read",
      "open",
      "subprocess.call",
      "later",
    ]);
  });

  it("qualifiedName is null for chains that do not start at a name", () => {
    const read = calls(m).find((c) => callQualName(c, m) === ".read")!;
    expect(qualifiedName(read.childForFieldName("function")!, m)).toBeNull();
  });

  it("records imported modules and relative levels", () => {
    expect([...m.imports.imported]).toEqual(["subprocess", "os.system", "os.path", "xml.etree.ElementTree", "sibling", "pkg.thing", "pickle", "mod.later"]);
    expect(m.imports.lookup("thing")?.level).toBe(1);
    expect(m.imports.lookup("pk")?.nested).toBe(true);
    expect(m.imports.isImportedLike("etree")).toBe(true);
  });

  it("marks imports nested only inside defs and classes, not after them", () => {
    const n = parsePython(["class C:", "    import a", "def f():", "    if x:", "        import b", "import c", "if y:", "    import d"].join("\n"));
    expect(n.imports.bindings.length).toBe(0); // plain imports bind no alias
    expect(n.imports.statements.map((s) => s.names[0]!.name)).toEqual(["a", "b", "c", "d"]);
    const aliased = parsePython(["def f():", "    import a as x", "import b as y", "class K:", "    from m import z"].join("\n"));
    expect(aliased.imports.bindings.map((b) => `${b.local}:${b.nested}`)).toEqual(["x:true", "y:false", "z:true"]);
  });

  it("dotted callees with comments or spaces resolve like plain ones", () => {
    const n = parsePython(["import os.path as op", "op . join('a')", "op.join('b')", "(op).join('c')"].join("\n"));
    expect(calls(n).map((c) => callQualName(c, n))).toEqual(["os.path.join", "os.path.join", "os.path.join"]);
  });
});

describe("walkTypes", () => {
  it("visits a matching root once (B613 was reported twice)", () => {
    const m = parsePython("x = f(g(1))\n");
    const seen: string[] = [];
    walkTypes(m.root, new Set(["module", "call"]), (n) => seen.push(n.type));
    expect(seen).toEqual(["module", "call", "call"]);
  });
});

describe("literalValue", () => {
  it.each([
    ["'a' 'b'", '{"kind":"str","value":"ab"}'],
    ["'tab\\there'", '{"kind":"str","value":"tab\\there"}'],
    ["r'\\d+'", '{"kind":"str","value":"\\\\d+"}'],
    ["b'\\x00\\xff'", '{"kind":"bytes","value":"\\u0000ÿ"}'],
    ["'''multi\nline'''", '{"kind":"str","value":"multi\\nline"}'],
    ["'\\u00e9\\N{BULLET}'", '{"kind":"str","value":"é\\\\N{BULLET}"}'],
    ["0o777", '{"kind":"int","value":"511n"}'],
    ["0x1F", '{"kind":"int","value":"31n"}'],
    ["1_000", '{"kind":"int","value":"1000n"}'],
    ["-2", '{"kind":"int","value":"-2n"}'],
    ["2.5e3", '{"kind":"float","value":2500}'],
    ["True", '{"kind":"bool","value":true}'],
    ["None", '{"kind":"none"}'],
    ["(1, [2], {3}, {'k': None})", '{"kind":"tuple","items":[{"kind":"int","value":"1n"},{"kind":"list","items":[{"kind":"int","value":"2n"}]},{"kind":"set","items":[{"kind":"int","value":"3n"}]},{"kind":"dict","entries":[[{"kind":"str","value":"k"},{"kind":"none"}]]}]}'],
  ])("%s", (expr, expected) => {
    const src = `x = ${expr}\n`;
    expect(show(literalValue(firstExpr(parsePython(src)), src))).toBe(expected);
  });

  it.each(["f'{a}'", "'a' f'{b}'", "name", "1j", "[x]", "a + 1", "'a' b'b'"])("%s is not a literal", (expr) => {
    const src = `x = ${expr}\n`;
    expect(literalValue(firstExpr(parsePython(src)), src)).toBeUndefined();
  });

  it("stringValue folds concatenations and rejects bytes unless asked", () => {
    const src = "x = b'abc'\n";
    const e = firstExpr(parsePython(src));
    expect(stringValue(e, src)).toBeNull();
    expect(stringValue(e, src, true)).toBe("abc");
  });
});

describe("callArgs", () => {
  it("splits positional, keyword and star arguments", () => {
    const src = "f(1, 'two', *rest, key=3, **kw)\ng(x for x in y)\n";
    const m = parsePython(src);
    const [f, g] = calls(m);
    const a = callArgs(f!, src);
    expect(a.positional.map((n) => n.text)).toEqual(["1", "'two'"]);
    expect([...a.keywords.keys()]).toEqual(["key"]);
    expect(a.hasStarArgs).toBe(true);
    expect(a.hasStarStarKwargs).toBe(true);
    const b = callArgs(g!, src);
    expect(b.isGeneratorArgument).toBe(true);
    expect(b.positional).toHaveLength(1);
  });
});

describe("positions", () => {
  it("uses 1-based lines, UTF-8 byte columns and full line ranges", () => {
    const src = "s = 'é'; eval(\n  s,\n)\n";
    const m = parsePython(src);
    const call = calls(m)[0]!;
    expect(lineRange(call)).toEqual([1, 2, 3]);
    // "s = 'é'; " is 9 characters but 10 UTF-8 bytes.
    expect(colOffset(call, m.text)).toBe(10);
    expect(endColOffset(call, m.text)).toBe(1);
  });
});

describe("unparenthesize", () => {
  it("strips groups as Python's ast does, comments inside the parentheses included", () => {
    const value = (code: string) => {
      const m = parsePython(code);
      const assignment = m.root.namedChild(0)!.namedChild(0)!;
      return unparenthesize(assignment.childForFieldName("right")!);
    };
    expect(value("x = ((1))\n").type).toBe("integer");
    expect(value('x = (  # why\n    "text"\n)\n').type).toBe("string");
    expect(value("x = (  # a\n  (  # b\n    y\n  )\n)\n").type).toBe("identifier");
    expect(value("x = (1, 2)\n").type).toBe("tuple");
    expect(literalValue(value('x = (  # why\n    "text"\n)\n'), 'x = (  # why\n    "text"\n)\n')).toEqual({ kind: "str", value: "text" });
  });
});
