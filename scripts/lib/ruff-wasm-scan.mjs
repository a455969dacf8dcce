/**
 * ruff's S (flake8-bandit) rules through its WebAssembly build, as one whole process over a
 * directory: the second anchor of bench:scan (Bandit is the first). A plain .mjs run by `node`, not
 * tsx, so its start-up is Node's plus ruff's, as a user of the npm package would pay.
 *
 * Usage: node scripts/lib/ruff-wasm-scan.mjs DIR OUT.json  (writes {files, results: [...]})
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const [dir, out] = process.argv.slice(2);
if (!dir || !out) {
  process.stderr.write("usage: ruff-wasm-scan.mjs DIR OUT.json\n");
  process.exit(2);
}
// ruff-wasm-nodejs is CommonJS that loads its .wasm synchronously next to itself.
const ruff = createRequire(import.meta.url)("@astral-sh/ruff-wasm-nodejs");
const workspace = new ruff.Workspace({ lint: { select: ["S"] } }, ruff.PositionEncoding.Utf16);

const files = [];
const walk = (d) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.isFile() && e.name.endsWith(".py")) files.push(p);
  }
};
walk(dir);
files.sort();
const results = [];
let errors = 0;
for (const file of files) {
  try {
    for (const d of workspace.check(readFileSync(file, "utf8"))) {
      // Syntax errors come back as diagnostics without a rule code; Bandit-style rules only.
      if (typeof d.code === "string" && d.code.startsWith("S")) results.push({ file, code: d.code, line: d.start_location.row });
    }
  } catch {
    errors++;
  }
}
writeFileSync(out, JSON.stringify({ files: files.length, errors, results }));
