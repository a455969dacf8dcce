/**
 * CPython's compile() as the judge of our syntax verdict (scripts/lib/compile_verdicts.py run by
 * the real interpreter), and the walk that finds the .py files of a directory tree.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

export const PYTHON = "/usr/bin/python3";
const ORACLE = join(import.meta.dirname, "compile_verdicts.py");

export type Item = { path: string } | { source: string };
export type CpythonVerdict = { ok: true } | { ok: false; error: string };

/** CPython's verdicts, in input order (one interpreter for the whole list). */
export function cpythonVerdicts(items: readonly Item[]): CpythonVerdict[] {
  const input = items.map((i) => JSON.stringify(i)).join("\n") + "\n";
  const r = spawnSync(PYTHON, ["-I", ORACLE], { input, maxBuffer: 1 << 30, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`compile_verdicts.py failed (${r.status}): ${r.stderr}`);
  const out = r.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as CpythonVerdict);
  if (out.length !== items.length) throw new Error(`compile_verdicts.py answered ${out.length} of ${items.length}`);
  return out;
}

/** Every regular `.py` file under `root`, sorted; directory symlinks are not followed (as `find`). */
export function pythonFilesUnder(root: string): string[] {
  const out: string[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile() && e.name.endsWith(".py")) out.push(p);
    }
  }
  return out.sort();
}
