/**
 * Identifiers as Python reads them (PEP 3131, NFKC): a respelt name is the same name to CPython, so
 * it must be the same name to every analysis. Each CPython claim below was checked with
 * /usr/bin/python3 (3.11): `os.ｓｙｓｔｅｍ("echo hi")` runs, `ｉｆ = 1` binds a name, `shell=Ｔｒｕｅ`
 * runs a shell unless the module binds `Ｔｒｕｅ`.
 */
import Parser from "tree-sitter";
import Python from "tree-sitter-python";
import { describe, expect, it } from "vitest";
import { parsePython } from "../../../src/analysis/python/index.js";
import { respellIdentifiers } from "../../../src/analysis/python/identifiers.js";
import { copyTree } from "../../../src/analysis/python/tree.js";
import { scanSource } from "../../../src/analysis/scan/index.js";

const ruleIds = (code: string) => scanSource(code, { analyzers: ["rules"] }).findings.map((f) => `${f.test_id}@${f.line_number}`);

describe("respelt identifiers", () => {
  it("reads fullwidth and mathematical letters as the ASCII name, keeping line numbers", () => {
    const code = ["import ｓｕｂｐｒｏｃｅｓｓ, os", "import 𝐩𝐢𝐜𝐤𝐥𝐞", "os.ｓｙｓｔｅｍ(x)", "𝐞𝐯𝐚𝐥(x)", "ｐｉｃｋｌｅ.loads(x)", "subprocess.call(x, ｓｈｅｌｌ=Ｔｒｕｅ)", ""].join("\n");
    const m = parsePython(code);
    expect(m.hasErrors).toBe(false);
    expect(m.source).toBe(["import subprocess, os", "import pickle", "os.system(x)", "eval(x)", "pickle.loads(x)", "subprocess.call(x, shell=True)", ""].join("\n"));
    const ids = ruleIds(code);
    for (const id of ["B404@1", "B403@2", "B605@3", "B307@4", "B301@5", "B602@6"]) expect(ids).toContain(id);
  });

  it("gives the same findings as the ASCII spelling", () => {
    const ascii = "import os, pickle\nos.system(cmd)\npickle.loads(data)\neval(expr)\n";
    const respelt = "import ｏｓ, 𝐩𝐢𝐜𝐤𝐥𝐞\nｏｓ.𝐬𝐲𝐬𝐭𝐞𝐦(ｃｍｄ)\n𝐩𝐢𝐜𝐤𝐥𝐞.ｌｏａｄｓ(data)\nｅｖａｌ(expr)\n";
    expect(ruleIds(respelt)).toEqual(ruleIds(ascii));
  });

  it("leaves ASCII sources, strings and comments as written", () => {
    const ascii = "x = 1\n";
    expect(parsePython(ascii).source).toBe(ascii);
    const text = "s = 'ｅｖａｌ'  # ｓｙｓｔｅｍ\n";
    expect(parsePython(text).source).toBe(text);
  });

  it("never respells a name into a keyword, which Python would not read as one", () => {
    const m = parsePython("ｉｆ = 1\nprint(ｉｆ)\n");
    expect(m.hasErrors).toBe(false);
    expect(m.source).toBe("ｉｆ = 1\nprint(ｉｆ)\n");
  });

  it("respells True/False/None only where a read finds the builtin constant", () => {
    // Bound in the module: the name is a variable, in every position.
    const bound = parsePython("Ｔｒｕｅ = 0\nf(shell=Ｔｒｕｅ)\n");
    expect(bound.hasErrors).toBe(false);
    expect(bound.source).toBe("Ｔｒｕｅ = 0\nf(shell=Ｔｒｕｅ)\n");
    for (const binding of ["for Ｎｏｎｅ in x: pass", "def f(Ｆａｌｓｅ): pass", "import x as Ｔｒｕｅ", "with a as (b, Ｔｒｕｅ): pass"]) {
      const m = parsePython(`${binding}\ng(Ｔｒｕｅ, Ｆａｌｓｅ, Ｎｏｎｅ)\n`);
      expect(m.hasErrors, binding).toBe(false);
      expect(m.source, binding).not.toMatch(/g\(True, False, None\)/);
    }
    // Attribute and keyword names are not reads: they stay, and do not stop the reads elsewhere.
    const m = parsePython("x.Ｔｒｕｅ = 1\nf(Ｎｏｎｅ=2)\nsubprocess.call(c, shell=Ｔｒｕｅ)\n");
    expect(m.hasErrors).toBe(false);
    expect(m.source).toBe("x.Ｔｒｕｅ = 1\nf(Ｎｏｎｅ=2)\nsubprocess.call(c, shell=True)\n");
  });

  it("can leave the keyword-like names out, for files the full respelling would not parse", () => {
    const code = "ｍａｔｃｈ = ｅｖａｌ(Ｎｏｎｅ)\n";
    const parser = new Parser();
    parser.setLanguage(Python as unknown as Parser.Language);
    const root = copyTree(parser.parse(code), code, Python as unknown as Parser.Language).rootNode;
    expect(respellIdentifiers(root, code, true)).toBe("match = eval(None)\n");
    expect(respellIdentifiers(root, code, false)).toBe("ｍａｔｃｈ = eval(Ｎｏｎｅ)\n");
  });
});
