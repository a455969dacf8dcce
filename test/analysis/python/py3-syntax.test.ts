import { describe, expect, it } from "vitest";
import { parsePython } from "../../../src/analysis/python/index.js";

// tree-sitter-python also reads Python 2; Bandit parses with Python 3's ast, so these files are
// syntax errors there and must be errors here. Each expectation was checked with CPython 3.11's
// ast.parse; the "valid" column holds the nearest legal forms, which must stay scannable.
const INVALID: [string, string][] = [
  ["x = 0777\n", "leading zeros in decimal integer literals are not permitted"],
  ["x = 10L\n", "Python 2 long integer literal"],
  ["x = 0x1fL\n", "Python 2 long integer literal"],
  ["if a <> b:\n    pass\n", "Python 2 '<>' operator"],
  ["try:\n    pass\nexcept Exception, e:\n    pass\n", "Python 2 'except X, name' clause"],
  ['raise ValueError, "bad"\n', "Python 2 'raise E, value' statement"],
  ["x = `y`\n", "Python 2 backquote expression"],
  ['s = ur"abc"\n', 'invalid string prefix "ur"'],
  ['s = bu"x"\n', 'invalid string prefix "bu"'],
  ["def f(a=1, b):\n    pass\n", "non-default argument follows default argument"],
  ["def f(a=1, /, b):\n    pass\n", "non-default argument follows default argument"],
  ["g = lambda a=1, b: 0\n", "non-default argument follows default argument"],
  ["f(a=1, 2)\n", "positional argument follows keyword argument"],
  ["f(**k, b)\n", "positional argument follows keyword argument unpacking"],
  ["f(**k, *a)\n", "iterable argument unpacking follows keyword argument unpacking"],
  ["f(x for x in y, 1)\n", "comprehension iterable must be parenthesized"],
  ["f(x for x in y,)\n", "comprehension iterable must be parenthesized"],
  ["x = [a for a in 1, 2]\n", "comprehension iterable must be parenthesized"],
  ["def f(*):\n    pass\n", "named arguments must follow bare *"],
  ["def f(*, **kw):\n    pass\n", "named arguments must follow bare *"],
  ["del f()\n", "cannot delete call"],
  ["del a, (b, 1)\n", "cannot delete integer"],
  ["def f(x):\n", "expected an indented block"],
  ["def f(x):\n    # to do\n", "expected an indented block"],
  ["class A:\n\nx = 1\n", "expected an indented block"],
  ["if x:\n\ta = 1\n        b = 2\n", "inconsistent use of tabs and spaces in indentation"],
  ["if x:\n        a = 1\n\tb = 2\n", "inconsistent use of tabs and spaces in indentation"],
  ["if x:\n        a = 1\n    b = 2\n", "unindent does not match any outer indentation level"],
];

const VALID = [
  "x = 0\ny = 00\nz = 0_0\nw = 07j\nv = 0777.5\nu = 0o777\nt = 0x1f\n",
  "try:\n    pass\nexcept (A, B) as e:\n    pass\n",
  'raise ValueError("bad")\n',
  "raise A from B\n",
  's = Rb"abc" + fR"{x}" + u"x" + b\'x\' + B"y" + rB\'\'\'z\'\'\'\n',
  "def f(a=1, *, b):\n    pass\n",
  "def f(a, b=1, /, c=2, *args, d, **kw):\n    pass\n",
  "g = lambda a, b=1: 0\n",
  "f(a=1, *args)\nf(*a, b)\nf(**k, a=1)\nf(x, y=2, **k)\nf(x, y, # note\n  z=1)\n",
  "if a != b:\n    pass\n",
  "f((x for x in y), 1)\nf(x for x in y)\nx = [a for a, b in p]\nx = [a for a in (1, 2)]\n",
  "def f(*, a):\n    pass\n",
  "def f(*args, **kw):\n    pass\n",
  "del a, b.c, d[0], (e, [f])\n",
  "def f(x): return x\nclass A: ...\nif x:\n    # note\n    pass\n",
  "if x:\n\tif y:\n\t\tpass\n\telse:\n\t\tpass\n\t# a comment at any indent\n  # another\n\tz = (1,\n  2)\n\ts = '''\n text\n'''\n",
  'text = "except Exception, e: raise X, y <> 0777 `q` 10L"\n',
];

describe("Python 3 syntax that tree-sitter accepts", () => {
  it("reports Python 2 forms and misplaced arguments as syntax errors, with their reason", () => {
    for (const [code, message] of INVALID) {
      const m = parsePython(code);
      expect(m.hasErrors, code).toBe(true);
      expect(m.errorRanges.map((e) => e.message), code).toContain(message);
    }
  });

  it("keeps the legal neighbours of those forms free of errors", () => {
    for (const code of VALID) expect(parsePython(code).errorRanges, code).toEqual([]);
  });
});
