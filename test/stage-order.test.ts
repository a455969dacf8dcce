import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./helpers.js";

/**
 * The stage order of ARCHITECTURE.md, enforced on the real import graph: every `import`,
 * `export ... from`, `import()` and `import type` in src/, read with the TypeScript compiler's own
 * parser (no regexes, so a string that looks like an import is not one, and a multi-line import is).
 * A stage may import itself and any stage on a LOWER floor; never one on its own floor or above.
 */
const FLOORS: readonly (readonly string[])[] = [
  // analysis/finding: the Finding type alone (src/analysis/finding.ts), the vocabulary the judge's
  // verdict and every analyzer share; a leaf (checked below), so it sits on the bottom floor.
  ["task", "sandbox", "analysis/python", "analysis/finding", "model"],
  ["judge", "analysis", "policy"],
  ["reward"],
  ["verify"],
  // Side by side: they never import each other.
  ["bench", "server", "train", "audit"],
  ["cli"],
];

const SRC = join(REPO_ROOT, "src");

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|tsx)$/.test(name) && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** The stage a file under src/ belongs to, or null for src/index.ts (the package face, which may import anything). */
function stageOf(file: string): string | null {
  const parts = relative(SRC, file).split(sep);
  if (parts.length === 1) return null;
  if (parts[0] === "analysis" && parts[1] === "python") return "analysis/python";
  if (parts[0] === "analysis" && /^finding\.(ts|js)$/.test(parts[1]!)) return "analysis/finding";
  return parts[0]!;
}

/** src/index.ts as an import target: above every floor, since it re-exports them all. */
const PACKAGE_INDEX = "index.ts";

function floorOf(stage: string): number {
  if (stage === PACKAGE_INDEX) return FLOORS.length;
  return FLOORS.findIndex((f) => f.includes(stage));
}

/** Every module specifier a file imports, statically or dynamically, with its line. */
function importsOf(file: string): { specifier: string; line: number }[] {
  const text = readFileSync(file, "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: { specifier: string; line: number }[] = [];
  const add = (node: ts.Node, spec: ts.Expression | undefined) => {
    if (spec && ts.isStringLiteralLike(spec)) found.push({ specifier: spec.text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node, node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node, node.moduleReference.expression);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node, node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal as ts.Expression);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

interface Edge {
  from: string;
  line: number;
  fromStage: string;
  toStage: string;
}

function stageEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles(SRC)) {
    const fromStage = stageOf(file);
    if (fromStage === null) continue;
    for (const { specifier, line } of importsOf(file)) {
      if (!specifier.startsWith(".")) continue; // packages and node: built-ins
      const target = resolve(dirname(file), specifier);
      if (!target.startsWith(SRC + sep)) continue;
      const toStage = stageOf(target) ?? PACKAGE_INDEX;
      if (toStage === fromStage) continue;
      edges.push({ from: relative(REPO_ROOT, file), line, fromStage, toStage });
    }
  }
  return edges;
}

describe("stage order (ARCHITECTURE.md: a stage imports only stages below it)", () => {
  const edges = stageEdges();

  it("reads a real import graph", () => {
    // Guards against the test silently checking nothing (a moved src/ or a parser change).
    expect(edges.length).toBeGreaterThan(50);
    expect(edges.some((e) => e.fromStage === "verify" && e.toStage === "reward")).toBe(true);
    expect(edges.some((e) => e.fromStage === "cli")).toBe(true);
  });

  it("every stage folder under src/ is on a floor", () => {
    const stages = new Set(sourceFiles(SRC).map((f) => stageOf(f)).filter((s): s is string => s !== null));
    const unplaced = [...stages].filter((s) => floorOf(s) < 0);
    expect(unplaced, "add new stages to FLOORS here and to ARCHITECTURE.md").toEqual([]);
  });

  it("no stage imports one on its own floor or above", () => {
    const violations = edges
      .filter((e) => floorOf(e.toStage) >= floorOf(e.fromStage))
      .map((e) => `${e.from}:${e.line} (${e.fromStage}, floor ${floorOf(e.fromStage)}) imports ${e.toStage} (floor ${floorOf(e.toStage)})`);
    expect(violations).toEqual([]);
  });

  it("analysis/finding.ts imports nothing from src/ (that is what puts it on the bottom floor)", () => {
    expect(edges.filter((e) => e.fromStage === "analysis/finding")).toEqual([]);
  });

  it("checks what it claims: an upward import is caught", () => {
    // The rule itself on made-up edges, so a broken comparison cannot pass the real check vacuously.
    const up = { fromStage: "verify", toStage: "bench" };
    const side = { fromStage: "bench", toStage: "server" };
    const down = { fromStage: "server", toStage: "verify" };
    expect(floorOf(up.toStage) >= floorOf(up.fromStage)).toBe(true);
    expect(floorOf(side.toStage) >= floorOf(side.fromStage)).toBe(true);
    expect(floorOf(down.toStage) >= floorOf(down.fromStage)).toBe(false);
  });
});
