import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import Parser from "tree-sitter";
import Python from "tree-sitter-python";
import { describe, expect, it } from "vitest";
import { nativeTree, nativeTreeStatus } from "../../../src/analysis/python/native-tree.js";
import { copyTree, type PyNode, PyTree } from "../../../src/analysis/python/tree.js";
import { pythonFiles } from "../../helpers.js";

// The plain tree must say exactly what tree-sitter's native tree says: every analysis reads it
// instead. Compared node by node (pre-order) against the native nodes.
const parser = new Parser();
parser.setLanguage(Python as unknown as Parser.Language);

interface Shape {
  type: string;
  named: boolean;
  start: number;
  end: number;
  startRow: number;
  startColumn: number;
  endRow: number;
  endColumn: number;
  field: string | null;
  missing: boolean;
  hasError: boolean;
  children: number;
  parentType: string | null;
}

/** The members both node kinds share (tree-sitter's SyntaxNode and our PyNode use the same names). */
interface NodeLike {
  type: string;
  isNamed: boolean;
  startIndex: number;
  endIndex: number;
  startPosition: { row: number; column: number };
  endPosition: { row: number; column: number };
  isMissing: boolean;
  hasError: boolean;
  childCount: number;
  parent: { type: string } | null;
}

function shape(n: NodeLike, field: string | null): Shape {
  return {
    type: n.type,
    named: n.isNamed,
    start: n.startIndex,
    end: n.endIndex,
    startRow: n.startPosition.row,
    startColumn: n.startPosition.column,
    endRow: n.endPosition.row,
    endColumn: n.endPosition.column,
    field,
    missing: n.isMissing,
    hasError: n.hasError,
    children: n.childCount,
    parentType: n.parent?.type ?? null,
  };
}

function nativeShapes(tree: Parser.Tree): Shape[] {
  const out: Shape[] = [];
  const c = tree.walk();
  for (;;) {
    out.push(shape(c.currentNode as unknown as NodeLike, c.currentFieldName ?? null));
    if (c.gotoFirstChild()) continue;
    for (;;) {
      if (c.gotoNextSibling()) break;
      if (!c.gotoParent()) return out;
    }
  }
}

function plainShapes(root: PyNode): Shape[] {
  const out: Shape[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    out.push(shape(n, n.field));
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
  return out;
}

const language = Python as unknown as Parser.Language;
// The addon is built at install (scripts/build-native.mjs); SECURECODERL_NATIVE_TREE=0 turns it off.
const exportOn = process.env.SECURECODERL_NATIVE_TREE !== "0";

/** Both ways of getting our tree, the cursor copy and the addon's export, against tree-sitter's. */
function compare(source: string): void {
  const native = parser.parse(source, null, { bufferSize: source.length * 2 + 64 });
  // Two deliberate differences. A line continuation is whitespace to Python, so our tree keeps it
  // as an anonymous token (a named one read as an argument or operand wherever it appears). And
  // every ERROR node has an error: tree-sitter says otherwise of the leaf it makes for a character
  // no token starts with (a NUL byte), inside an ERROR that does.
  const want = nativeShapes(native).map((s) => (s.type === "line_continuation" ? { ...s, named: false } : s.type === "ERROR" ? { ...s, hasError: true } : s));
  const trees = [copyTree(native, source, language)];
  if (exportOn) {
    const exported = nativeTree(source, language);
    expect(exported).toBeInstanceOf(PyTree);
    trees.push(exported as PyTree);
  }
  for (const plain of trees) {
    const got = plainShapes(plain.rootNode);
    expect(got.length).toBe(want.length);
    for (let i = 0; i < want.length; i++) if (JSON.stringify(got[i]) !== JSON.stringify(want[i])) expect({ index: i, ...got[i] }).toEqual({ index: i, ...want[i] });
  }
}


describe("plain syntax tree", () => {
  it.skipIf(!exportOn)("is exported by the native addon, built at install (skipped under SECURECODERL_NATIVE_TREE=0)", () => {
    expect(nativeTreeStatus(language)).toEqual({ native: true, reason: "" });
  });

  it.skipIf(!exportOn)("gives up a parse past its CPU budget, and parses the next file afresh", () => {
    // An unclosed bracket at the top: tree-sitter's error recovery grows faster than the length.
    const block = "def f{i}(a, b=1):\n    return [x * {i} for x in a if x] or g(b, *a)\n\n";
    const hostile = "x = (\n" + Array.from({ length: 3_000 }, (_, i) => block.replaceAll("{i}", String(i))).join("");
    expect(nativeTree(hostile, language, 0.02)).toBe("budget");
    const next = nativeTree("x = 1\n", language, 0.02);
    expect(next !== null && next !== "budget" ? next.rootNode.toString() : next).toBe("(module (expression_statement (assignment left: (identifier) right: (integer))))");
    compare(hostile.slice(0, 5_000));
  });

  it("reads large files, NUL bytes and text beyond the BMP as tree-sitter does", () => {
    const block = 'def f{i}(a, b=1):\n    """doc 🎉 ü"""\n    return [x * {i} for x in a if x] or g(b, *a, **{"k": b"\\x00"})\n\n';
    const large = Array.from({ length: 3_000 }, (_, i) => block.replaceAll("{i}", String(i))).join("");
    expect(large.length).toBeGreaterThan(300_000);
    for (const source of [large, "x = 1\0\ny = 2\n", "\0", "s = '𝔘𝔫𝔦' + \"\\N{SNAKE}\"\n𝔁 = 1\n", "x = (\n" + large.slice(0, 20_000)]) compare(source);
  });

  it("matches tree-sitter's native tree on every Python fixture in the repository", () => {
    const files = pythonFiles(resolve(import.meta.dirname, "../.."));
    expect(files.length).toBeGreaterThan(100);
    for (const file of files) compare(readFileSync(file, "utf8"));
  });

  it("matches on multi-token operators, non-ASCII text, CRLF, and trees with errors or MISSING tokens", () => {
    const cases = [
      "x = a not   in b\ny = a is \\\n  not b\n",
      's = "héllo wörld 🎉"\nt = f"{s!r:>10}" + \'ü\'\n',
      "def f(a):\r\n    return a\r\n",
      "def f(:\n    pass\n",
      "x = (1, 2\nprint 'py2'\n",
      "if x\n    y = 1\n",
      "class C(\n",
      "",
      "# only a comment",
      // Types whose range holds an invisible token (the copy reads it rather than take the
      // children's): blocks ending in a newline, strings with escapes and format specs, decorators.
      'f"{x:>{w}.2f} {y!r}" "a\\nb" b"\\x00" r"\\d+"\n',
      "@dec\n@dec2(1)\ndef g():\n    pass\n\n\nclass C:  # c\n    x = 1\n",
      "try:\n    pass\nexcept (A, B) as e:\n    raise\nfinally:\n    x = [i for i in y if i]\n",
      "if a:\n    b\nelif c: d\nelse:\n\n    # comment\n    e\n",
    ];
    for (const source of cases) compare(source);
  });

  const stdlib = "/usr/lib/python3.11";
  it.skipIf(!existsSync(stdlib))("matches on a spread sample of the standard library (skipped where /usr/lib/python3.11 is absent)", () => {
    const all = pythonFiles(stdlib);
    const step = Math.max(1, Math.floor(all.length / 80));
    const files = all.filter((_, i) => i % step === 0);
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) compare(readFileSync(file, "utf8"));
  });

  it.skipIf(!existsSync(stdlib))("finds descendants by type as a walk of the subtree does (the type index and the scan agree)", () => {
    const all = pythonFiles(stdlib);
    const step = Math.max(1, Math.floor(all.length / 40));
    const queries = [["call"], ["identifier", "string"], ["return_statement", "yield", "await"], ["block"], ["ERROR", "comment", "decorator", "lambda"]];
    for (const file of all.filter((_, i) => i % step === 0)) {
      const source = readFileSync(file, "utf8");
      const root = copyTree(parser.parse(source, null, { bufferSize: source.length * 2 + 64 }), source, Python as unknown as Parser.Language).rootNode;
      const scopes = [root, ...root.descendantsOfType(["class_definition", "function_definition"]).slice(0, 5)];
      for (const scope of scopes) {
        const walked: PyNode[] = [];
        const stack = [scope];
        while (stack.length > 0) {
          const n = stack.pop()!;
          walked.push(n);
          for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
        }
        for (const types of queries) expect(scope.descendantsOfType(types).map((n) => n.id)).toEqual(walked.filter((n) => types.includes(n.type)).map((n) => n.id));
      }
    }
  });

  it("answers tree-sitter's navigation and search questions", () => {
    const source = "import os\ndef f(a, b=1):\n    return os.system(a)  # run\n";
    const tree = copyTree(parser.parse(source), source, Python as unknown as Parser.Language);
    const root = tree.rootNode;
    const def = root.namedChildren[1]!;
    expect(def.type).toBe("function_definition");
    expect(def.childForFieldName("name")?.text).toBe("f");
    expect(def.childrenForFieldName("parameters").map((p) => p.text)).toEqual(["(a, b=1)"]);
    const call = root.descendantsOfType("call")[0]!;
    expect(call.text).toBe("os.system(a)");
    expect(root.descendantsOfType(["import_statement", "comment"]).map((n) => n.type)).toEqual(["import_statement", "comment"]);
    expect(call.descendantsOfType("call")).toEqual([call]);
    expect(call.parent?.type).toBe("return_statement");
    expect(tree.node(call.id)).toBe(call);
    expect(call.childForFieldName("function")?.nextSibling?.type).toBe("argument_list");
    expect(call.childForFieldName("arguments")?.previousSibling?.type).toBe("attribute");
    expect(root.descendantForPosition({ row: 2, column: 14 }).text).toBe("system");
    const cursor = def.walk();
    const seen: string[] = [];
    for (;;) {
      if (cursor.nodeIsNamed) seen.push(cursor.nodeType);
      if (cursor.gotoFirstChild()) continue;
      let done = false;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) {
          done = true;
          break;
        }
      }
      if (done) break;
    }
    expect(seen[0]).toBe("function_definition");
    expect(seen).not.toContain("import_statement");
    expect(seen).toContain("comment");
  });
});
