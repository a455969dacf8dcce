import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type Parser from "tree-sitter";
import { BYTES_PER_NODE, ERROR_ID, fieldNames, HAS_ERROR, NAMED, NodeStore, NONE, typeIdByName, typeIsNamed, typeNames } from "./node-store.js";
import { learnType, markErrors } from "./tree-copy.js";
import { PyTree } from "./tree.js";

/**
 * The parse through native/tree_export.c: tree-sitter's runtime run by our own addon, which
 * writes the whole tree into a node store in one call. The cursor copy (tree-copy.ts) reads the
 * same tree one N-API call per field per node, which cost as much as the parse; this makes the
 * copy nearly free. The addon is compiled at install (scripts/build-native.mjs); where it is not
 * there, or SECURECODERL_NATIVE_TREE=0, `nativeTree` says so with null and the caller copies.
 */
interface TreeExport {
  setLanguage(language: unknown): { names: string[]; named: boolean[]; fields: string[] };
  parse(source: string, named: Uint8Array, budgetSeconds: number): [ArrayBuffer, number, boolean] | "budget" | null;
  threadCpuMs(): number;
}

/**
 * CPU seconds a parse may take before it is given up: tree-sitter's error recovery can take time
 * quadratic in the length (an unclosed bracket at the top of 1.4 MB took 12 s), while a clean
 * parse takes ~0.3 µs a character (10 MB: ~3 s), so this leaves 13 times that and more.
 */
export function parseBudgetSeconds(length: number): number {
  return 2 + length * 4e-6;
}

const ADDON = join("native", "build", "Release", "tree_export.node");

/** The package root holding the addon: this module sits 2 (bundle) or 3 (tsc, sources) below it. */
function addonPath(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 5; up++) {
    const candidate = join(dir, ADDON);
    if (existsSync(candidate)) {
      try {
        if ((JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string }).name === "securecoderl") return candidate;
      } catch {
        // no package.json of ours here: keep looking above
      }
    }
    dir = dirname(dir);
  }
  return undefined;
}

let addon: TreeExport | null | undefined;
/** Per type id: the NAMED flag the export writes for it. */
let namedFlags: Uint8Array = new Uint8Array(0);
/** Why the addon is not in use, for `nativeTreeStatus`. */
let unavailable = "";

function load(language: Parser.Language): TreeExport | null {
  if (addon !== undefined) return addon;
  addon = null;
  if (process.env.SECURECODERL_NATIVE_TREE === "0") {
    unavailable = "turned off by SECURECODERL_NATIVE_TREE=0";
    return null;
  }
  const path = addonPath();
  if (path === undefined) {
    unavailable = `${ADDON} is not built (npm install builds it; needs a C compiler)`;
    return null;
  }
  try {
    const loaded = createRequire(import.meta.url)(path) as TreeExport;
    const grammar = loaded.setLanguage((language as unknown as { language: unknown }).language);
    // Symbol 0 is tree-sitter's end of input, which never appears in a tree; node-store.ts keeps
    // ERROR there (ERROR_ID).
    learnType(ERROR_ID, "ERROR", true, language);
    for (let id = 1; id < grammar.names.length; id++) if (typeNames[id] === undefined) learnType(id, grammar.names[id]!, grammar.named[id]!, language);
    grammar.fields.forEach((name, id) => {
      if (id > 0) fieldNames[id] = name;
    });
    namedFlags = Uint8Array.from(typeIsNamed, (named) => (named ? 1 : 0));
    addon = loaded;
  } catch (err) {
    unavailable = `${path} failed to load: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (addon === null && process.env.SECURECODERL_DEBUG) process.stderr.write(`securecoderl: native tree export not used: ${unavailable}\n`);
  return addon;
}

/**
 * `source`'s tree through the addon; "budget" when the parse took longer than `budgetSeconds` of
 * CPU and was given up; null when the addon is not available or cannot export the tree.
 */
export function nativeTree(source: string, language: Parser.Language, budgetSeconds = parseBudgetSeconds(source.length)): PyTree | "budget" | null {
  const exporter = load(language);
  if (exporter === null) return null;
  const result = exporter.parse(source, namedFlags, budgetSeconds);
  if (result === null || result === "budget") return result;
  const [buffer, size, hasError] = result;
  const store = new NodeStore(buffer.byteLength / BYTES_PER_NODE, { buffer, size });
  if (hasError) markErrors(store);
  return new PyTree(source, store);
}

/**
 * The clock analysis time budgets are measured by: this thread's CPU time in milliseconds through
 * the addon, so results do not depend on the machine's load; wall time where the addon is not
 * built.
 */
export function budgetClock(language: Parser.Language): { now: () => number; cpu: boolean } {
  const exporter = load(language);
  return exporter ? { now: () => exporter.threadCpuMs(), cpu: true } : { now: Date.now, cpu: false };
}

/** Whether parses go through the addon, and if not, why (loads it on first call). */
export function nativeTreeStatus(language: Parser.Language): { native: boolean; reason: string } {
  return load(language) !== null ? { native: true, reason: "" } : { native: false, reason: unavailable };
}

/**
 * The tree of a file whose parse was given up: the module and one ERROR node over all of it, so
 * every analysis sees no code and the file counts as one that Python would reject.
 */
export function unparsedTree(source: string): PyTree {
  const store = new NodeStore(2);
  const moduleType = typeIdByName.get("module")?.[0] ?? ERROR_ID;
  store.add(moduleType, NAMED | HAS_ERROR, 0, 0, source.length, NONE);
  store.add(ERROR_ID, NAMED | HAS_ERROR, 0, 0, source.length, 0);
  store.firstChild[0] = 1;
  return new PyTree(source, store);
}
