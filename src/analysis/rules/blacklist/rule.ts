import type { SyntaxNode } from "../../python/index.js";
import { readImportStatement, unparenthesize } from "../../python/index.js";
import type { Rule, RuleContext, RuleHit } from "../types.js";
import { CALL_BLACKLIST } from "./calls.js";
import { IMPORT_BLACKLIST } from "./imports.js";
import type { BlacklistEntry } from "./table.js";
import { fnmatch } from "./table.js";

// Bandit matches calls against both tables (a dynamic import names a module), calls first.
const CALL_TABLE: readonly BlacklistEntry[] = [...CALL_BLACKLIST, ...IMPORT_BLACKLIST];

function hit(e: BlacklistEntry, name: string): RuleHit {
  return {
    severity: e.severity,
    confidence: "HIGH",
    message: e.message.replace(/\{name\}/g, name),
    cwe: e.cwe,
    testId: e.id,
    testName: e.name,
  };
}

/**
 * The name Bandit matches a call against: the qualified callee, or for `__import__("m")`,
 * `importlib.import_module("m")` and `importlib.__import__("m")` the imported module's name.
 */
function callTargetName(call: SyntaxNode, ctx: RuleContext): string | null {
  const fn = call.childForFieldName("function");
  if (!fn) return null;
  const f = unparenthesize(fn);
  if (f.type === "identifier" && ctx.text(f) === "__import__") {
    const first = ctx.callArgs(call).positional[0];
    if (!first) return "";
    const lit = ctx.literal(first);
    return lit?.kind === "str" ? lit.value : "UNKNOWN";
  }
  const name = ctx.callName(call);
  if (name === "importlib.import_module" || name === "importlib.__import__") {
    const args = ctx.callArgs(call);
    const first = args.positional[0] ?? args.keywords.get("name");
    if (!first) return null;
    const v = ctx.banditValue(first);
    return typeof v === "string" ? v : null;
  }
  return name;
}

/**
 * The table indexed for lookup: exact names map to the entries holding them (in table order);
 * only glob patterns need fnmatch. Unknown callee names (most calls) then cost one map lookup.
 */
const EXACT = new Map<string, number[]>();
const GLOBS: { index: number; pattern: string }[] = [];
CALL_TABLE.forEach((e, index) => {
  for (const qn of e.qualnames) {
    if (/[*?[]/.test(qn)) GLOBS.push({ index, pattern: qn });
    else {
      const list = EXACT.get(qn);
      if (!list) EXACT.set(qn, [index]);
      else if (list[list.length - 1] !== index) list.push(index);
    }
  }
});

/** The first enabled call-table entry matching `name`, or null (Bandit's order). */
function matchCallTable(name: string, isEnabled: (id: string) => boolean): BlacklistEntry | null {
  let best = Number.POSITIVE_INFINITY;
  for (const index of EXACT.get(name) ?? []) {
    if (isEnabled(CALL_TABLE[index]!.id)) {
      best = index;
      break;
    }
  }
  for (const { index, pattern } of GLOBS) {
    if (index >= best) break;
    if (isEnabled(CALL_TABLE[index]!.id) && fnmatch(name, pattern)) best = index;
  }
  return best === Number.POSITIVE_INFINITY ? null : CALL_TABLE[best]!;
}

// The same callee names (print, len, open, ...) recur in every file, and matching one against the
// whole table costs dozens of fnmatch calls: remember the answer per selection (the engine's
// isEnabled is one function for all its modules). Bounded so odd inputs cannot grow it forever.
const MATCH_CACHE_LIMIT = 50_000;
const matchCache = new WeakMap<(id: string) => boolean, Map<string, BlacklistEntry | null>>();

function cachedMatch(name: string, isEnabled: (id: string) => boolean): BlacklistEntry | null {
  let byName = matchCache.get(isEnabled);
  if (!byName) {
    byName = new Map();
    matchCache.set(isEnabled, byName);
  }
  let entry = byName.get(name);
  if (entry === undefined) {
    entry = matchCallTable(name, isEnabled);
    if (byName.size >= MATCH_CACHE_LIMIT) byName.clear();
    byName.set(name, entry);
  }
  return entry;
}

function checkCall(call: SyntaxNode, ctx: RuleContext): RuleHit | null {
  const name = callTargetName(call, ctx);
  if (name === null) return null;
  const e = cachedMatch(name, ctx.isEnabled);
  return e ? hit(e, name) : null;
}

function checkImport(node: SyntaxNode, ctx: RuleContext): RuleHit | null {
  // The module's import table has read this statement already (same node object).
  const stmt = ctx.module.imports.statementFor(node) ?? readImportStatement(node, ctx.module.source);
  if (!stmt) return null;
  const prefix = stmt.kind === "from" && stmt.module !== null ? `${stmt.module}.` : "";
  // Bandit reports one issue per statement: the first enabled entry that any imported name matches.
  for (const e of IMPORT_BLACKLIST) {
    if (!ctx.isEnabled(e.id)) continue;
    for (const { name } of stmt.names) {
      const full = prefix + name;
      for (const qn of e.qualnames) if (full.startsWith(qn)) return hit(e, name);
    }
  }
  return null;
}

/** Bandit's single blacklist test (B001) covering every B3xx/B4xx id. */
export const blacklistRule: Rule = {
  id: "B001",
  name: "blacklist",
  cwe: 0,
  severity: "MEDIUM",
  description: "Calls and imports of functions and modules known to be risky.",
  nodeTypes: ["call", "import_statement", "import_from_statement", "future_import_statement"],
  members: [...CALL_BLACKLIST, ...IMPORT_BLACKLIST],
  check(node, ctx) {
    return node.type === "call" ? checkCall(node, ctx) : checkImport(node, ctx);
  },
};
