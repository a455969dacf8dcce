import { describe, expect, it } from "vitest";
import { parsePython } from "../../../src/analysis/python/index.js";
import { Program } from "../../../src/analysis/taint/program.js";

/** The folded value of the test of the first `if` in `def f(p): <body>`, or null when undecided. */
function truthOf(body: string): boolean | null {
  const p = new Program(parsePython(`def f(p):\n${body.replace(/^/gm, "    ")}\n`));
  const fn = p.functions[0]!;
  const cond = fn.node.descendantsOfType("if_statement")[0]!.childForFieldName("condition")!;
  return p.constants.truth(cond, fn);
}

describe("constant conditions", () => {
  it("folds int arithmetic with Python's floor semantics", () => {
    expect(truthOf("if -7 // 2 == -4 and -7 % 3 == 2:\n    pass")).toBe(true);
    expect(truthOf("n = 86\nif 7 * 42 - n > 200:\n    pass")).toBe(true);
    expect(truthOf("n = 106\nif 7 * 42 - n > 200:\n    pass")).toBe(false);
    expect(truthOf("if 1 // 0:\n    pass")).toBeNull();
  });

  it("folds chains, membership, identity with None and short-circuits", () => {
    expect(truthOf("if 1 < 2 < 2:\n    pass")).toBe(false);
    expect(truthOf("s = 'abc' + 'def'\nif 'cd' in s and 'x' not in s:\n    pass")).toBe(true);
    expect(truthOf("if 3 in (1, 2, 3):\n    pass")).toBe(true);
    expect(truthOf("if None is None:\n    pass")).toBe(true);
    expect(truthOf("if 0 and p:\n    pass")).toBe(false);
    expect(truthOf("if 1 or p:\n    pass")).toBe(true);
    expect(truthOf("if p or 1:\n    pass")).toBeNull();
  });

  it("leaves parameters, merges, globals and floats undecided", () => {
    expect(truthOf("if p > 1:\n    pass")).toBeNull();
    expect(truthOf("n = 1\nif p:\n    n = 2\nif n > 1:\n    pass".replace("if p:", "while p:"))).toBeNull();
    expect(truthOf("global n\nn = 1\nif n > 0:\n    pass")).toBeNull();
    expect(truthOf("if 0.5 > 0:\n    pass")).toBeNull();
    expect(truthOf("if 'a' in p:\n    pass")).toBeNull();
  });
});
