import type { ParsedModule, SyntaxNode } from "../../python/index.js";
import { nodeText, unparenthesize } from "../../python/index.js";
import type { Rule, RuleHit } from "../types.js";
import { calledName, pyParent, strConstant } from "./util/bandit.js";
import { binOpChains, chainTooDeep } from "./util/binop_chains.js";
import type { StrSite } from "./util/strings.js";
import { STRING_NODE_TYPES, strHit, strSites } from "./util/strings.js";

const SIMPLE_SQL = /(select\s.*from\s|delete\s+from\s|insert\s+into\s.*values[\s(]|update\s.*set\s)/is;

function isBinOp(n: SyntaxNode | null): boolean {
  return !!n && n.type === "binary_operator";
}

/**
 * Bandit's `concat_string`: from the top of the BinOp chain, join with spaces the string constants
 * found below it, skipping the subtree of the constant's own BinOp (`stop`) exactly as Bandit does
 * (so `"a " + "b" + x` joins neither neighbour into the other).
 */
function concatString(strNode: SyntaxNode, stop: SyntaxNode, module: ParsedModule): { wrapper: SyntaxNode | null; statement: string } | null {
  const chain = binOpChains(module).get(stop.id);
  if (!chain || chainTooDeep(chain)) return null; // CPython/Bandit fail on such depth and report nothing
  const bits: SyntaxNode[] = [strNode];
  // Explicit stack instead of recursion: long `a + b + c + ...` chains nest deeply.
  const stack: { node: SyntaxNode; side: 0 | 1 | 2 }[] = [{ node: chain.top, side: 0 }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.node.id === stop.id || frame.side === 2) {
      stack.pop();
      continue;
    }
    const child = unparenthesize(frame.node.childForFieldName(frame.side === 0 ? "left" : "right")!);
    frame.side = frame.side === 0 ? 1 : 2;
    if (isBinOp(child)) stack.push({ node: child, side: 0 });
    else bits.push(child);
  }
  const parts: string[] = [];
  for (const b of bits) {
    const v = strConstant(b, module.source);
    if (v !== null) parts.push(v);
  }
  return { wrapper: chain.wrapperCall, statement: parts.join(" ") };
}

interface Evaluation {
  executeCall: boolean;
  statement: string;
  strReplace: boolean;
}

function evaluate(site: StrSite, module: ParsedModule): Evaluation {
  const source = module.source;
  let wrapper: SyntaxNode | null = null;
  let statement = "";
  let strReplace = false;
  const parent = site.parent;
  if (site.joined) {
    if (site.joined.first) {
      statement = site.joined.allText;
      wrapper = pyParent(site.joined.node);
    }
  } else if (parent && isBinOp(parent)) {
    const out = concatString(site.node, parent, module);
    if (out) {
      wrapper = out.wrapper;
      statement = out.statement;
    }
  } else if (parent && parent.type === "attribute" && unparenthesize(parent.childForFieldName("object")!).id === site.node.id) {
    const attr = nodeText(parent.childForFieldName("attribute")!, source);
    if (attr === "format" || attr === "replace") {
      statement = site.value;
      // "...".format(...): the wrapper is whatever holds the .format() call.
      const formatCall = pyParent(parent);
      wrapper = formatCall ? pyParent(formatCall) : null;
      strReplace = attr === "replace";
    }
  }
  const executeCall = !!wrapper && wrapper.type === "call" && ["execute", "executemany"].includes(calledName(wrapper, source));
  return { executeCall, statement, strReplace };
}

/** B608: SQL statements assembled with string formatting or concatenation. */
export const b608HardcodedSqlExpressions: Rule = {
  id: "B608",
  name: "hardcoded_sql_expressions",
  cwe: 89,
  severity: "MEDIUM",
  description: "A SQL statement is built by string formatting or concatenation (MEDIUM confidence when passed straight to execute()).",
  nodeTypes: STRING_NODE_TYPES,
  check(node, ctx) {
    const src = ctx.module.source;
    const hits: RuleHit[] = [];
    for (const site of strSites(node, src)) {
      const e = evaluate(site, ctx.module);
      if (!SIMPLE_SQL.test(e.statement)) continue;
      hits.push(
        strHit(site, {
          severity: "MEDIUM",
          confidence: e.executeCall && !e.strReplace ? "MEDIUM" : "LOW",
          message: "SQL text is built from strings at run time; this can allow SQL injection. Use query parameters.",
        }),
      );
    }
    return hits;
  },
};
