/**
 * Compiles native/tree_export.node (native/tree_export.c: the parse and the whole-tree export in
 * one call, see src/analysis/python/native-tree.ts) with node-gyp, at `npm install` and in
 * `npm run build`. Skipped when the addon is newer than its sources and tree-sitter's runtime.
 *
 * A failed build does not fail the install: the analysis then copies tree-sitter's tree through
 * the Node binding's cursor, the same tree, ~15% more CPU per scanned file. It says so, with why.
 */
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const native = join(root, "native");
const built = join(native, "build", "Release", "tree_export.node");
const force = process.argv.includes("--force");

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);
let runtime;
try {
  runtime = createRequire(join(root, "package.json")).resolve("tree-sitter/package.json");
} catch {
  process.stderr.write("securecoderl: native tree export not built: the tree-sitter package is not installed yet\n");
  process.exit(0);
}
const sources = ["tree_export.c", "tree_sitter_runtime.c", "binding.gyp"].map((f) => join(native, f)).concat(runtime);
if (!force && mtime(built) > 0 && sources.every((s) => mtime(s) <= mtime(built))) process.exit(0);

// npm sets npm_config_node_gyp for its scripts; run outside npm, use the node-gyp npm ships with.
const candidates = [process.env.npm_config_node_gyp, join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js")];
const nodeGyp = candidates.find((p) => p && existsSync(p));
if (!nodeGyp) {
  process.stderr.write("securecoderl: native tree export not built: node-gyp not found (it comes with npm); scans copy the tree the slower way\n");
  process.exit(0);
}
const args = [nodeGyp, "rebuild"];
// Outside npm, npm's own nodedir setting (where the Node headers are) is not in the environment,
// and node-gyp would try to download the headers instead.
if (!process.env.npm_config_nodedir) {
  const npmCli = join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "bin", "npm-cli.js");
  const nodedir = existsSync(npmCli) ? spawnSync(process.execPath, [npmCli, "config", "get", "nodedir"], { encoding: "utf8" }).stdout?.trim() : "";
  if (nodedir && nodedir !== "undefined" && existsSync(join(nodedir, "include", "node", "node_api.h"))) args.push(`--nodedir=${nodedir}`);
}
process.stderr.write("securecoderl: compiling the native tree export (native/tree_export.c)\n");
const r = spawnSync(process.execPath, args, { cwd: native, encoding: "utf8" });
if (r.status !== 0 || !existsSync(built)) {
  const tail = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n").filter((l) => !l.startsWith("gyp info")).slice(-8).join("\n");
  process.stderr.write(
    `securecoderl: native tree export not built (node-gyp exited ${r.status ?? r.signal}); scans work without it, with ~15% more CPU per file.\n` +
      `  Needs a C compiler and make (Debian: build-essential); then run npm run build:native.\n${tail}\n`,
  );
}
