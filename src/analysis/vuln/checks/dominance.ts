/**
 * Guards by CFG dominance, on the shared control-flow graph and dominator tree
 * (`src/analysis/python/cfg.ts`, `dominators.ts`): the conditions that hold whenever control
 * reaches a node. A branch edge `B --true(C)--> T` guards every block that `T` dominates when `T`
 * has that edge as its only entry. This sees through try/except, loops with `continue`/`break`
 * and early returns the same way the taint engine does. When the graph is truncated (very deep
 * nesting) or the node is not in it, the structural AST answer (`guardsOf`) is used.
 */
import { buildCfg, type Cfg } from "../../python/cfg.js";
import { dominators, type DominatorTree } from "../../python/dominators.js";
import { enclosingFunction, guardsOf, unwrap, type Guard, type Node } from "./ast.js";
import { callerGuards, guardsAfterCall, MAX_CALL_DEPTH, topLevelCalls } from "./calls.js";

interface FunctionGraph {
  cfg: Cfg;
  dom: DominatorTree;
  truncated: boolean;
}

const graphs = new WeakMap<object, Map<number, FunctionGraph>>();

function graphFor(fn: Node): FunctionGraph {
  let perTree = graphs.get(fn.tree);
  if (!perTree) graphs.set(fn.tree, (perTree = new Map()));
  let g = perTree.get(fn.id);
  if (!g) {
    const cfg = buildCfg(fn);
    g = { cfg, dom: dominators(cfg), truncated: cfg.truncated };
    perTree.set(fn.id, g);
  }
  return g;
}

/** The block holding the innermost CFG element that contains `node`, and that element. */
function blockOf(cfg: Cfg, node: Node): { block: number; element: Node | null } {
  let best = -1;
  let element: Node | null = null;
  let bestSize = Infinity;
  for (const block of cfg.blocks) {
    for (const el of block.elements) {
      const e = el.node;
      if (e.startIndex <= node.startIndex && e.endIndex >= node.endIndex) {
        const size = e.endIndex - e.startIndex;
        if (size < bestSize) {
          best = block.id;
          element = e;
          bestSize = size;
        }
      }
    }
  }
  return { block: best, element };
}

/** Conditions that hold on every path from the function's entry to `node`. */
export function dominatingGuards(node: Node, fn: Node | null): Guard[] {
  if (!fn) return guardsOf(node);
  const g = graphFor(fn);
  const { block: start, element } = g.truncated ? { block: -1, element: null } : blockOf(g.cfg, node);
  if (start < 0 || !element) return guardsOf(node);
  const out: Guard[] = [];
  for (let b = start; ; ) {
    const preds = g.cfg.blocks[b]!.preds.filter((e) => e.kind !== "exception" || e.cond !== undefined);
    if (preds.length === 1 && (preds[0]!.kind === "true" || preds[0]!.kind === "false") && preds[0]!.cond) {
      out.push({ condition: preds[0]!.cond, holds: preds[0]!.kind === "true" });
    }
    const up = g.dom.idom[b]!;
    if (up < 0 || up === b) break;
    b = up;
  }
  // Guards inside the element itself (a ternary, a comprehension filter, `a and b`) are not blocks.
  if (element.id !== node.id) for (const inner of guardsOf(node, element)) out.push(inner);
  return out;
}

/**
 * Guards of a node: those of its own function (module-level code: the structural answer), plus
 * those a helper establishes across a call, so that moving code into a helper changes nothing:
 * the exit guards of helpers called by statements that run before the node (`check(name)` that
 * raises on a bad name), and, in a helper called from exactly one place, the guards at that call.
 */
export function guardsAt(node: Node, depth = 0): Guard[] {
  const fn = enclosingFunction(node);
  const out = dominatingGuards(node, fn);
  for (const call of precedingCalls(node, fn)) out.push(...guardsAfterCall(call));
  if (fn && depth < MAX_CALL_DEPTH) out.push(...callerGuards(fn, (call) => guardsAt(call, depth + 1)));
  return out.map(positive);
}

/**
 * `not C` holding is `C` failing: the negation is taken off so that `if not (k in ALLOWED): pass
 * else: write(k)` reads as the allow-list test it is, like `if k in ALLOWED: write(k)`.
 */
function positive(g: Guard): Guard {
  let condition = unwrap(g.condition);
  let holds = g.holds;
  while (condition.type === "not_operator") {
    const arg = condition.childForFieldName("argument");
    if (!arg) break;
    condition = unwrap(arg);
    holds = !holds;
  }
  return condition === g.condition && holds === g.holds ? g : { condition, holds };
}

/** Calls made as whole simple statements that run before the node in every enclosing block. */
function precedingCalls(node: Node, fn: Node | null): Node[] {
  const out: Node[] = [];
  let child: Node = node;
  for (let p = node.parent; p && p.id !== fn?.id; child = p, p = p.parent) {
    if (p.type === "lambda" || p.type === "function_definition") break;
    if (p.type !== "block" && p.type !== "module") continue;
    for (const stmt of p.namedChildren) {
      if (stmt.id === child.id) break;
      out.push(...topLevelCalls(stmt));
    }
  }
  return out;
}
