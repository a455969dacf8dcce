/**
 * npm's `prepare` step: tsc, then the bundle (scripts/build-bundle.mjs), unless nothing needs it.
 *
 * - `npx securecoderl` in a checkout installs the checkout into npx's cache, and npm runs this
 *   script for it (npm_command "exec"): a built checkout must not be rebuilt then; the user asked
 *   to run a command, not to build (that cost a first run a minute).
 * - `npm install` run again keeps a build newer than every source file (scripts/setup.sh runs it
 *   on every call).
 * `npm run build` always builds.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const built = join(root, "dist", "bundle", "main.js");

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

if (existsSync(built)) {
  if (process.env.npm_command === "exec") process.exit(0);
  const sources = Math.max(newestSource(join(root, "src")), statSync(join(root, "tsconfig.json")).mtimeMs, statSync(join(root, "scripts", "build-bundle.mjs")).mtimeMs);
  if (statSync(built).mtimeMs >= sources) {
    process.stderr.write("securecoderl: build is up to date (npm run build rebuilds)\n");
    process.exit(0);
  }
}
for (const args of [["node_modules/typescript/bin/tsc", "-p", "tsconfig.json"], ["scripts/build-bundle.mjs"]]) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
