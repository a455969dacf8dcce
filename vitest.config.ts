import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // The CLI under test runs from the tests' own build (test/global-setup.ts), never dist/.
    env: { SECURECODERL_DIST: ".test-dist" },
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Sandboxed runs are CPU-bound on small machines; keep files in few workers.
    maxWorkers: 2,
  },
});
