import { spawnSync } from "node:child_process";

/**
 * Build once so CLI tests run the real `bin/securecoderl.js` over the output a user gets: tsc's
 * modules, then the bundle the bin prefers (scripts/build-bundle.mjs). Type errors are reported but
 * do not stop the run (tsc still emits; `npm test` type-checks separately first). A failed bundle
 * step is reported too; the bin then runs tsc's modules.
 */
export default function setup(): void {
  const tsc = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json"], { encoding: "utf8" });
  if (tsc.status !== 0) process.stderr.write(`tsc reported errors (tests run on the emitted output):\n${tsc.stdout}${tsc.stderr}\n`);
  const bundle = spawnSync(process.execPath, ["scripts/build-bundle.mjs"], { encoding: "utf8" });
  if (bundle.status !== 0) process.stderr.write(`bundling failed (CLI tests run tsc's modules):\n${bundle.stdout}${bundle.stderr}\n`);
}
