#!/usr/bin/env node
import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// SECURECODERL_DIST names another build folder directly below the root: the test suite builds
// into .test-dist and runs the CLI from there, leaving dist/ to whatever CLI a user is running.
const dist = process.env.SECURECODERL_DIST ? resolve(root, process.env.SECURECODERL_DIST) : join(root, "dist");
const compiled = join(dist, "cli", "main.js");
const bundled = join(dist, "bundle", "main.js");

const mtime = (file) => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
};

// The bundle (scripts/build-bundle.mjs) starts several times faster than tsc's ~100 modules. It is
// made from tsc's output, so one older than that output is stale (a `tsc` run without the bundle
// step): then the compiled modules are the current code.
const compiledAt = mtime(compiled);
const bundledAt = mtime(bundled);
const entry = bundledAt !== undefined && (compiledAt === undefined || bundledAt >= compiledAt) ? bundled : compiledAt !== undefined ? compiled : undefined;
if (entry === undefined) {
  process.stderr.write("securecoderl: not built yet; run `npm install` (or `npm run build`) in " + root + "\n");
  process.exit(2);
}
if (process.env.SECURECODERL_DEBUG) process.stderr.write(`securecoderl: running ${entry}\n`);
const { main } = await import(entry);
const code = await main(process.argv);
// Let stdout drain before exiting: large JSON outputs are written asynchronously when piped.
process.exitCode = code;
