import { spawnSync } from "node:child_process";

/** The build folder the tests run the CLI from (vitest.config.ts hands it to bin/securecoderl.js). */
export const TEST_DIST = ".test-dist";

/**
 * Build once so CLI tests run the real `bin/securecoderl.js` over the output a user gets: tsc's
 * modules, then the bundle the bin prefers (scripts/build-bundle.mjs). The build goes to
 * .test-dist, not dist/: `npm test` must not rewrite the files of a CLI that is running from the
 * same checkout (a bench run next to the tests). Type errors are reported but do not stop the run
 * (tsc still emits; `npm test` type-checks separately first). A failed bundle step is reported
 * too; the bin then runs tsc's modules.
 */
export default function setup(): void {
  const tsc = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json", "--outDir", TEST_DIST], { encoding: "utf8" });
  if (tsc.status !== 0) process.stderr.write(`tsc reported errors (tests run on the emitted output):\n${tsc.stdout}${tsc.stderr}\n`);
  const bundle = spawnSync(process.execPath, ["scripts/build-bundle.mjs", "--dist", TEST_DIST], { encoding: "utf8" });
  if (bundle.status !== 0) process.stderr.write(`bundling failed (CLI tests run tsc's modules):\n${bundle.stdout}${bundle.stderr}\n`);
}
