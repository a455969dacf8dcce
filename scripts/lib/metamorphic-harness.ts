/**
 * The metamorphic invariance harness (npm run accept:metamorphic and its CI test): rewrite each
 * program with every transform of src/analysis/metamorphic, keep the rewrites CPython compiles,
 * and compare the reward's verdict on each rewrite with the original's under the same context.
 */
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { TRANSFORMS, verdictOf, type TransformOptions, type VerdictContext } from "../../src/analysis/metamorphic/index.js";
import { parsePython } from "../../src/analysis/python/index.js";
import { cpythonVerdicts, PYTHON, pythonFilesUnder } from "./syntax-oracle.js";

export interface Program {
  name: string;
  code: string;
  context: VerdictContext;
}

export interface Failure {
  program: string;
  transform: string;
  before: string[];
  after: string[];
  original: string;
  rewritten: string;
}

export interface TransformTally {
  /** Programs the transform changed and CPython compiled. */
  applied: number;
  invariant: number;
  /** Rewrites CPython rejected (a transform bug; never compared). */
  notCompiled: number;
  /** The transform threw (a transform bug). */
  crashed: number;
}

export interface InvarianceReport {
  programs: number;
  /** Programs CPython itself rejects, skipped. */
  skipped: number;
  perTransform: Record<string, TransformTally>;
  failures: Failure[];
  compileFailures: Array<{ program: string; transform: string; error: string; rewritten: string }>;
}

/** `# context: entry=f cwe=89` and `# check-context: parameters-are-input` headers of a fixture. */
export function fixtureContext(code: string): VerdictContext {
  const context: VerdictContext = {};
  const line = /^# context: (.*)$/m.exec(code)?.[1] ?? "";
  for (const [, k, v] of line.matchAll(/(\w+)=(\S+)/g)) {
    if (k === "entry") context.entryFunction = v!;
    else if (k === "cwe") context.cwe = v!;
  }
  if (/^# check-context: parameters-are-input$/m.test(code)) context.parametersAreInput = true;
  return context;
}

/** Every Python fixture under test/analysis (any folder named fixtures). */
export function fixturePrograms(repoRoot: string): Program[] {
  const root = join(repoRoot, "test/analysis");
  return pythonFilesUnder(root)
    .filter((p) => relative(root, p).split("/").includes("fixtures"))
    .map((p) => {
      const code = readFileSync(p, "utf8");
      return { name: relative(repoRoot, p), code, context: fixtureContext(code) };
    });
}

type Row = Record<string, unknown>;
async function readRows(path: string): Promise<Row[]> {
  return (await parquetReadObjects({ file: await asyncBufferFromFile(path) })) as Row[];
}

/**
 * SecCodePLT+ train (vulnerable and patched whole programs, under the task's entry function and
 * CWE) and SafeSQL train reference programs (no context). `every` > 1 keeps every n-th task (a
 * bounded CI run); missing datasets are reported in `missing`.
 */
export async function datasetPrograms(sharedDir: string, every = 1): Promise<{ programs: Program[]; missing: string[] }> {
  const programs: Program[] = [];
  const missing: string[] = [];
  const scp = join(sharedDir, "seccodeplt-plus/train.parquet");
  if (existsSync(scp)) {
    (await readRows(scp)).forEach((row, i) => {
      if (i % every !== 0) return;
      const gt = row.ground_truth as Record<string, string>;
      const ut = row.unittest as Record<string, string>;
      const td = row.task_description as Record<string, string>;
      const context = { entryFunction: td.function_name!, cwe: String(row.CWE_ID) };
      for (const variant of ["vulnerable", "patched"] as const) {
        const code = `${ut.setup ?? ""}\n${gt.code_before ?? ""}\n${gt[`${variant}_code`] ?? ""}\n${gt.code_after ?? ""}`;
        programs.push({ name: `seccodeplt-plus ${row.id} ${variant}`, code, context });
      }
    });
  } else missing.push(scp);
  const sql = join(sharedDir, "safesql/train.parquet");
  if (existsSync(sql)) {
    (await readRows(sql)).forEach((row, i) => {
      if (i % every === 0) programs.push({ name: `safesql ${row.program_id}`, code: String(row.execute_sql), context: {} });
    });
  } else missing.push(sql);
  return { programs, missing };
}

let pythonRoots: string[] | null = null;
let builtinModules: Set<string> | null = null;

/**
 * Is `name` a submodule of package `module`, read from the interpreter's own search path (the
 * files, not an import): true, false, or undefined where the package is not installed here.
 */
export function isSubmodule(module: string, name: string): boolean | undefined {
  if (!pythonRoots) {
    const r = spawnSync(PYTHON, ["-I", "-c", "import sys, json; print(json.dumps([sys.path, list(sys.builtin_module_names)]))"], { encoding: "utf8" });
    const [paths, builtins] = JSON.parse(r.stdout) as [string[], string[]];
    pythonRoots = paths.filter((p) => p && existsSync(p) && !p.endsWith(".zip"));
    builtinModules = new Set(builtins);
  }
  const parts = module.split(".");
  if (parts.length === 1 && builtinModules!.has(module)) return false;
  for (const root of pythonRoots) {
    const dir = join(root, ...parts);
    if (existsSync(join(dir, "__init__.py"))) {
      if (existsSync(join(dir, `${name}.py`)) || existsSync(join(dir, name))) return true;
      try {
        if (readdirSync(dir).some((f) => f.startsWith(`${name}.`) && f.endsWith(".so"))) return true;
      } catch {
        return undefined;
      }
      return false;
    }
    const last = join(root, ...parts.slice(0, -1), parts[parts.length - 1]!);
    if (existsSync(`${last}.py`)) return false;
    try {
      if (readdirSync(join(root, ...parts.slice(0, -1))).some((f) => f.startsWith(`${parts[parts.length - 1]}.`) && f.endsWith(".so"))) return false;
    } catch {
      // not under this root
    }
  }
  return undefined;
}

/** Applies every transform to every program and compares verdicts (see InvarianceReport). */
export function runInvariance(programs: readonly Program[], transforms: readonly string[] = Object.keys(TRANSFORMS), onProgress?: (done: number) => void): InvarianceReport {
  const report: InvarianceReport = { programs: programs.length, skipped: 0, perTransform: {}, failures: [], compileFailures: [] };
  for (const t of transforms) report.perTransform[t] = { applied: 0, invariant: 0, notCompiled: 0, crashed: 0 };
  const originals = cpythonVerdicts(programs.map((p) => ({ source: p.code })));
  const candidates: Array<{ program: Program; transform: string; code: string }> = [];
  programs.forEach((program, i) => {
    if (!originals[i]!.ok) {
      report.skipped++;
      return;
    }
    const mod = parsePython(program.code, "solution.py");
    const options: TransformOptions = { isSubmodule, ...(program.context.entryFunction ? { entryFunction: program.context.entryFunction } : {}) };
    for (const t of transforms) {
      try {
        const code = TRANSFORMS[t]!(mod, options);
        if (code !== null && code !== mod.source) candidates.push({ program, transform: t, code });
      } catch (err) {
        report.perTransform[t]!.crashed++;
        report.compileFailures.push({ program: program.name, transform: t, error: `transform threw: ${err instanceof Error ? err.stack : String(err)}`, rewritten: "" });
      }
    }
  });
  const compiled = cpythonVerdicts(candidates.map((c) => ({ source: c.code })));
  const before = new Map<Program, string[]>();
  let done = 0;
  candidates.forEach((c, i) => {
    const tally = report.perTransform[c.transform]!;
    const verdict = compiled[i]!;
    if (!verdict.ok) {
      tally.notCompiled++;
      report.compileFailures.push({ program: c.program.name, transform: c.transform, error: verdict.error, rewritten: c.code });
      return;
    }
    let b = before.get(c.program);
    if (!b) before.set(c.program, (b = describe(c.program.code, c.program.context)));
    const a = describe(c.code, c.program.context);
    tally.applied++;
    if (a.join("\n") === b.join("\n")) tally.invariant++;
    else report.failures.push({ program: c.program.name, transform: c.transform, before: b, after: a, original: c.program.code, rewritten: c.code });
    onProgress?.(++done);
  });
  return report;
}

/** The verdict keys, plus a marker when the analyzers saw a syntax error or failed. */
function describe(code: string, context: VerdictContext): string[] {
  const v = verdictOf(code, context);
  const errs = v.errors.filter((e) => !/time budget/.test(e));
  return errs.length ? [...v.keys, `errors: ${errs.map((e) => e.replace(/:\d+:\d+:/, ":")).sort().join("; ")}`] : v.keys;
}

export function formatTally(report: InvarianceReport): string {
  const lines = ["transform             applied  invariant   %        not compiled  crashed"];
  let applied = 0;
  let invariant = 0;
  for (const [t, x] of Object.entries(report.perTransform)) {
    applied += x.applied;
    invariant += x.invariant;
    lines.push(`${t.padEnd(20)} ${String(x.applied).padStart(8)} ${String(x.invariant).padStart(10)}   ${(x.applied ? ((100 * x.invariant) / x.applied).toFixed(1) + "%" : "-").padEnd(8)} ${String(x.notCompiled).padStart(12)} ${String(x.crashed).padStart(8)}`);
  }
  lines.push(`${"all".padEnd(20)} ${String(applied).padStart(8)} ${String(invariant).padStart(10)}   ${applied ? ((100 * invariant) / applied).toFixed(1) + "%" : "-"}`);
  return lines.join("\n");
}
