import { describe, expect, it } from "vitest";
import { buildCfg, buildModuleCfgs, type Cfg } from "../../../src/analysis/python/cfg.js";
import { dominators, postDominators, dominanceFrontiers } from "../../../src/analysis/python/dominators.js";

import { parsePython } from "../../../src/analysis/python/index.js";

// The analyses' own front end: the nodes they read carry its per-tree memo tables.
const parser = { parse: (src: string) => ({ rootNode: parsePython(src).root }) };

function fnCfg(src: string): Cfg {
  const root = parser.parse(src).rootNode;
  const fn = root.descendantsOfType("function_definition")[0]!;
  return buildCfg(fn);
}

/** Block holding the first element whose text starts with `text`. */
function blockOf(cfg: Cfg, text: string): number {
  const b = cfg.blocks.find((bl) => bl.elements.some((e) => e.node.text.startsWith(text)));
  if (!b) throw new Error(`no block for ${text}`);
  return b.id;
}

describe("CFG shapes", () => {
  it("if/elif/else produces true and false edges carrying the condition", () => {
    const cfg = fnCfg("def f(x):\n    if x > 1:\n        a = 1\n    elif x < 0:\n        a = 2\n    else:\n        a = 3\n    return a\n");
    const cond = cfg.blocks[blockOf(cfg, "x > 1")]!;
    expect(cond.succs.map((e) => e.kind).sort()).toEqual(["false", "true"]);
    expect(cond.succs[0]!.cond?.text).toBe("x > 1");
    const ret = blockOf(cfg, "return a");
    // The join block has three predecessors (one per arm).
    expect(cfg.blocks[ret]!.preds.length).toBe(3);
  });

  it("return and raise jump to the exit; code after them is unreachable", () => {
    const cfg = fnCfg("def f(x):\n    if x:\n        raise ValueError()\n    return 1\n    y = 2\n");
    const dom = dominators(cfg);
    expect(dom.idom[blockOf(cfg, "y = 2")]).toBe(-1);
    expect(cfg.blocks[blockOf(cfg, "raise")]!.succs[0]!.to).toBe(cfg.exit);
  });

  it("while with else: break skips the else body; the loop has a back edge", () => {
    const cfg = fnCfg("def f(x):\n    while x:\n        if x == 3:\n            break\n        x -= 1\n    else:\n        e = 1\n    done = 1\n");
    const header = blockOf(cfg, "x");
    expect(cfg.blocks[header]!.preds.some((e) => e.kind === "back")).toBe(true);
    const elseBlock = blockOf(cfg, "e = 1");
    const brk = blockOf(cfg, "break");
    const done = blockOf(cfg, "done = 1");
    expect(cfg.blocks[brk]!.succs.map((e) => e.to)).toContain(done);
    expect(cfg.blocks[brk]!.succs.map((e) => e.to)).not.toContain(elseBlock);
  });

  it("for loops bind their target at the start of the body", () => {
    const cfg = fnCfg("def f(xs):\n    for x in xs:\n        print(x)\n");
    const body = cfg.blocks.find((b) => b.elements[0]?.kind === "for-bind");
    expect(body).toBeDefined();
    expect(body!.elements[1]!.node.text).toBe("print(x)");
  });

  it("try/except/else/finally: try blocks reach handlers, all paths pass through finally", () => {
    const cfg = fnCfg(
      "def f(x):\n    try:\n        a = g(x)\n    except ValueError as e:\n        h = 1\n    else:\n        el = 1\n    finally:\n        fin = 1\n    after = 1\n",
    );
    const handler = cfg.blocks.find((b) => b.elements[0]?.kind === "except-bind")!;
    const tryBlock = blockOf(cfg, "a = g(x)");
    const dispatch = handler.preds[0]!.from;
    expect(cfg.blocks[tryBlock]!.succs.some((e) => e.kind === "exception" && e.to === dispatch)).toBe(true);
    const pdom = postDominators(cfg);
    const fin = blockOf(cfg, "fin = 1");
    expect(pdom.dominates(fin, tryBlock)).toBe(true);
    expect(pdom.dominates(fin, handler.id)).toBe(true);
  });

  it("with and match statements", () => {
    const cfg = fnCfg(
      "def f(p, cmd):\n    with open(p) as fh:\n        d = fh.read()\n    match cmd:\n        case 'a':\n            r = 1\n        case _:\n            r = 2\n    return r\n",
    );
    expect(cfg.blocks.some((b) => b.elements.some((e) => e.kind === "with-bind"))).toBe(true);
    expect(cfg.blocks.filter((b) => b.elements.some((e) => e.kind === "case")).length).toBe(2);
    expect(cfg.blocks[blockOf(cfg, "return r")]!.preds.length).toBe(3);
  });

  it("finds nested functions and lambdas with qualified names", () => {
    const root = parser.parse("class A:\n    def m(self):\n        def inner(y):\n            return y\n        k = lambda z: z\n").rootNode;
    const { functions } = buildModuleCfgs(root);
    expect(functions.map((f) => f.qualname)).toEqual(["A.m", "A.m.inner", "A.m.<lambda>"]);
    expect(functions[2]!.cfg.params).toEqual(["z"]);
  });

  it("deeply nested input does not overflow the stack", () => {
    let src = "def f(x):\n";
    for (let i = 0; i < 400; i++) src += " ".repeat(4 * (i + 1)) + "if x:\n";
    src += " ".repeat(4 * 401) + "pass\n";
    const root = parser.parse(src).rootNode;
    expect(() => buildModuleCfgs(root)).not.toThrow();
  });
});

describe("dominators", () => {
  it("a guard that raises dominates the code after it; the join is its post-dominator", () => {
    const cfg = fnCfg("def f(x):\n    if x not in ALLOWED:\n        raise ValueError()\n    os.system(x)\n");
    const dom = dominators(cfg);
    const guard = blockOf(cfg, "x not in ALLOWED");
    const sink = blockOf(cfg, "os.system(x)");
    expect(dom.dominates(guard, sink)).toBe(true);
    expect(dom.dominates(blockOf(cfg, "raise"), sink)).toBe(false);
    const df = dominanceFrontiers(cfg, dom);
    expect(df[blockOf(cfg, "raise")]!.has(cfg.exit)).toBe(true);
  });
});
