/**
 * Each metamorphic transform keeps what a program does: small programs that exercise the
 * transform's hard cases (closures, keyword calls, shadowing, conversions, escapes) are run before
 * and after the rewrite with the real interpreter, and must print the same thing.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { TRANSFORMS, type TransformOptions } from "../../../src/analysis/metamorphic/index.js";
import { parsePython } from "../../../src/analysis/python/index.js";
import { isSubmodule } from "../../../scripts/lib/metamorphic-harness.js";

const PYTHON = "/usr/bin/python3";

function run(code: string): { out: string; err: string; status: number | null } {
  const r = spawnSync(PYTHON, ["-I", "-c", code], { encoding: "utf8", timeout: 30_000 });
  return { out: r.stdout, err: r.stderr, status: r.status };
}

function rewrite(transform: string, code: string, options: TransformOptions = {}): string {
  const out = TRANSFORMS[transform]!(parsePython(code), { isSubmodule, ...options });
  expect(out, `${transform} does not apply`).not.toBeNull();
  expect(out).not.toBe(code);
  return out!;
}

/** Rewrites `code`, checks the rewrite prints what the original prints, and returns it. */
function samePrint(transform: string, code: string, options: TransformOptions = {}): string {
  const before = run(code);
  expect(before.status, before.err).toBe(0);
  expect(before.out.length).toBeGreaterThan(0);
  const rewritten = rewrite(transform, code, options);
  const after = run(rewritten);
  expect(after.err, rewritten).toBe("");
  expect(after.out, rewritten).toBe(before.out);
  return rewritten;
}

const CLOSURES = `
import os
LIMIT = 3

def outer(items, scale=LIMIT):
    total = 0
    def add(value):
        nonlocal total
        total += value * scale
        return total
    squares = [item * item for item in items if item < LIMIT * 10]
    for item in squares:
        add(item)
    pick = lambda item: item + total
    label = f"{total}:{pick(1)!r}:{os.sep}"
    return label

class Box:
    size = 2
    def grow(self, by):
        size = self.size + by
        return size

def keyword_user(path, mode="r"):
    return path + mode

def splat_user(a, b):
    return a - b

print(outer([1, 2, 3]))
print(Box().grow(3))
print(keyword_user("x", mode="w"))
print(splat_user(**{"a": 5, "b": 2}))
`;

describe("rename-neutral", () => {
  it("renames locals, parameters and helpers, keeping closures, keywords and class attributes", () => {
    const out = samePrint("rename-neutral", CLOSURES);
    const mod = parsePython(out);
    const defs = mod.root.descendantsOfType("function_definition").map((f) => f.childForFieldName("name")!.text);
    expect(defs).not.toContain("outer");
    expect(defs).toContain("grow"); // a method is reached by attribute: kept
    expect(out).toContain("mode=\"w\"");
    expect(out).toContain("def fn"); // helpers get neutral names
    expect(out).toContain("size = 2"); // class attribute kept
  });

  it("keeps the task's entry function and its parameter names", () => {
    const code = "def entry(user_id, limit=2):\n    rows = [user_id] * limit\n    return rows\n\nprint(entry(user_id=1))\n";
    const out = samePrint("rename-neutral", code, { entryFunction: "entry" });
    expect(out).toContain("def entry(user_id, limit=2):");
    expect(out).not.toContain("rows");
  });

  it("leaves names alone in a scope that reads them as strings", () => {
    expect(TRANSFORMS["rename-neutral"]!(parsePython("def f(a):\n    b = 1\n    return eval('a + b')\n"), { entryFunction: "f" })).toBeNull();
  });
});

describe("extract-helper", () => {
  it("moves a run of statements into a helper with its inputs and outputs", () => {
    const code = `
def work(items, factor):
    """Docstring stays."""
    total = 0
    seen = []
    for item in items:
        if item in seen:
            continue
        seen.append(item)
        total += item * factor
    message = "total=%d" % total
    return message, len(seen)

print(work([1, 2, 2, 3], 10))
`;
    const out = samePrint("extract-helper", code);
    expect(out).toMatch(/def part\d+\(/);
  });

  it("runs in methods and passes self along", () => {
    const code = `
class Counter:
    def __init__(self):
        self.n = 0
    def bump(self, k):
        self.n += k
        double = self.n * 2
        print("doubled", double)
        return double

c = Counter()
print(c.bump(2), c.bump(3))
`;
    samePrint("extract-helper", code);
  });
});

describe("inline-helper", () => {
  it("inlines a one-use helper with fresh names at an assignment, a return and a bare call", () => {
    const code = `
def clean(text, width):
    text = text.strip()
    padded = text.ljust(width, ".")
    return padded.upper()

def shout(msg):
    print(msg + "!")

def fmt(value):
    value = value * 2
    return value

def main(text):
    padded = "kept"
    result = clean(text, 8)
    shout(result)
    print(padded, result)
    return fmt(len(result))

print(main("  hi "))
`;
    const out = samePrint("inline-helper", code);
    expect(out).not.toContain("def clean");
    expect(out).not.toContain("def shout");
    expect(out).not.toContain("def fmt");
  });

  it("does not inline where a caller's local would shadow a global the helper reads", () => {
    const code = "LIMIT = 3\n\ndef cap(v):\n    return min(v, LIMIT)\n\ndef main(v):\n    LIMIT = 100\n    return cap(v) + LIMIT\n\nprint(main(10))\n";
    expect(TRANSFORMS["inline-helper"]!(parsePython(code), {})).toBeNull();
  });
});

describe("import forms", () => {
  it("import x becomes from x import y as x_y", () => {
    const code = "import os\nimport json\nimport xml.etree.ElementTree\n\ndef f(p):\n    return os.path.join('a', p), json.dumps({'k': p}), xml.etree.ElementTree.fromstring('<a/>').tag\n\nprint(f('b'))\n";
    const out = samePrint("import-to-from", code);
    expect(out).toContain("from os import path as os_path");
    expect(out).toContain("from xml.etree.ElementTree import fromstring as");
  });

  it("from x import y as z becomes import x", () => {
    const code = "from json import dumps as to_json, loads\nfrom os import path\n\nprint(to_json(loads('[1, 2]')), path.basename('/a/b'))\n";
    const out = samePrint("from-to-import", code);
    expect(out).toContain("json.dumps(json.loads(");
    expect(out).toContain("os.path.basename(");
  });

  it("leaves a from-import of a submodule alone (import x would not load it)", () => {
    expect(TRANSFORMS["from-to-import"]!(parsePython("from xml.etree import ElementTree\nprint(ElementTree.fromstring('<a/>').tag)\n"), { isSubmodule })).toBeNull();
  });
});

const FSTRINGS = `
name = "O'Brien"
n = 7
items = [1, 2]
print(f"user {name!r} has {n:>4} items {{literally}} 100% {items[0] + 1}")
print(f'plain {name} and {n}'.upper())
print(f"""multi
{name}
line""")
`;

describe("string formatting", () => {
  it("f-string to .format", () => {
    const out = samePrint("fstring-to-format", FSTRINGS);
    expect(out).toContain(".format(");
  });

  it("f-string to %", () => {
    const out = samePrint("fstring-to-percent", "name = 'x'\nn = [1]\nprint(f'{name} 100% {{ok}} {n!r}'.upper())\n");
    expect(out).toContain("%%");
  });

  it(".format to f-string", () => {
    const out = samePrint("format-to-fstring", "a = 3\nb = 'q'\nprint('{} and {!r} {{x}} {:>5}'.format(a, b, a))\n");
    expect(out).toContain("f'");
  });

  it("% to f-string", () => {
    const out = samePrint("percent-to-fstring", "a = 3\nb = 'q'\nprint('%s and %r {x} 50%%' % (a, b))\n");
    expect(out).toContain("f'");
  });
});

describe("swap-branches", () => {
  it("swaps if/else bodies under a negated test, and drops a double negation", () => {
    const code = `
def classify(x):
    if x > 2 and x != 5:
        label = "big"
    else:
        label = "small"
    if not x:
        return "zero"
    else:
        return label

for v in [0, 1, 3, 5]:
    print(classify(v))
`;
    const out = samePrint("swap-branches", code);
    expect(out).toContain("if not (x > 2 and x != 5):");
    expect(out).toContain("if x:");
  });
});

describe("respell-names", () => {
  it("respells every name in fullwidth and mathematical letters, which CPython reads as the same names", () => {
    const code = `
import os.path as osp
from collections import OrderedDict
class Box:
    size = 2
    def area(self, scale=1, **extra):
        return self.size * scale + len(extra)
def show(**kw):
    return sorted(kw.items())
b = Box()
print(b.area(scale=3, unit="m"), getattr(b, "size"), show(match=1, type=2))
print(osp.join("a", "b"), list(OrderedDict(x=1)), True, None)
`;
    const out = samePrint("respell-names", code);
    expect(out).not.toMatch(/\b(Box|area|show|osp)\b/);
    expect(out).toMatch(/^import .* as /m);
    expect(out).toContain('"size"');
  });
});

describe("alias-callees", () => {
  it("calls imported functions and builtins through a name bound just before, in the same scope", () => {
    const code = `
import os.path
import hashlib
from json import dumps as encode
class Box:
    tag = os.path.basename("/a/b.txt")
    def digest(self, data):
        return hashlib.sha256(data).hexdigest()[:8]
def show(items):
    total = eval("1 + 2")
    names = [os.path.join("d", x) for x in items]
    return encode({"n": names, "t": total}, sort_keys=True)
if True: print(show(["a"]))
print(Box().digest(b"x"), Box.tag, (lambda p: os.path.splitext(p))("f.py"))
`;
    const out = samePrint("alias-callees", code);
    expect(out).toMatch(/^\s+c\w* = hashlib\.sha256$/m);
    expect(out).toMatch(/^\s+c\w* = eval$/m);
    expect(out).toMatch(/^\s+c\w* = encode$/m);
    // Not where the binding would land in another scope or layout.
    expect(out).toContain('tag = os.path.basename("/a/b.txt")');
    expect(out).toContain('os.path.join("d", x) for x in items');
    expect(out).toContain("lambda p: os.path.splitext(p)");
    expect(out).toContain("if True: print(");
  });
});
