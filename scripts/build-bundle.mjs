/**
 * Bundle the compiled CLI (dist/cli/main.js), the scan worker (dist/analysis/scan/worker.js) and
 * the verifier's analysis worker (dist/verify/analysis-worker.js) into dist/bundle/ with esbuild, so `securecoderl` starts by loading a handful of files instead of
 * resolving and compiling ~100 ES modules one by one (and each scan worker does the same).
 *
 * Run after tsc (npm run build, prepare, the test global setup): it bundles tsc's output, so the
 * bundle runs exactly the JavaScript the type checker and the tests saw.
 *
 * Layout rules the code relies on:
 * - Everything lands directly in dist/bundle/, two levels below the package root like every
 *   dist/<area>/ module, so paths computed from import.meta.url (`../../package.json`,
 *   `../../python`, `../../bench-data`) resolve to the package root from the bundle too.
 * - The worker entry is dist/bundle/worker.js, next to the chunk holding the scanner, whose
 *   `new URL("./worker.js", import.meta.url)` therefore finds the bundled worker; the same holds
 *   for dist/bundle/analysis-worker.js and the analysis pool. The scan worker is built with the
 *   CLI and shares its chunks, so `scan -a rules` workers load no detector code either.
 * - Lazy `import()`s stay lazy (code splitting): `scan -a rules` loads no sandbox, sqlite, vuln
 *   detector or pyright code, in the main thread or in its scan workers.
 * - Native packages and packages that find their own files at run time stay external and are
 *   loaded from node_modules as before.
 */
import { build } from "esbuild";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// `--dist DIR` bundles tsc's output in another folder directly below the root (the test setup
// builds into .test-dist, so `npm test` never rewrites dist/ under a CLI running from it).
const distArg = process.argv.indexOf("--dist");
const dist = join(root, distArg >= 0 ? process.argv[distArg + 1] ?? "dist" : "dist");
const outdir = join(dist, "bundle");
const entries = {
  main: join(dist, "cli", "main.js"),
  worker: join(dist, "analysis", "scan", "worker.js"),
  analysisWorker: join(dist, "verify", "analysis-worker.js"),
};
for (const file of Object.values(entries)) {
  if (!existsSync(file)) {
    process.stderr.write(`build-bundle: ${relative(root, file)} is missing; run tsc first (npm run build)\n`);
    process.exit(1);
  }
}

/** Native addons, or packages that locate their own files (grammars, wasm, CLIs) at run time. */
const EXTERNAL = ["tree-sitter", "tree-sitter-python", "better-sqlite3", "node-llama-cpp", "pyright", "playwright-core", "@tensorflow/tfjs", "@tensorflow/tfjs-backend-wasm"];

/**
 * External CommonJS packages that the code imports with `import X from "pkg"` are loaded with
 * require() instead: an ES import of a CommonJS file makes Node scan its source for export names
 * (cjs-module-lexer) and wrap it in a module record, a few milliseconds per scan thread for
 * tree-sitter alone. A default import of a CommonJS package is its module.exports either way.
 */
const REQUIRED_EXTERNAL = new Set(["tree-sitter", "tree-sitter-python", "better-sqlite3"]);
const requireExternals = {
  name: "require-externals",
  setup(b) {
    b.onResolve({ filter: /^[\w@][\w./@-]*$/ }, (args) => {
      if (!REQUIRED_EXTERNAL.has(args.path)) return undefined;
      if (args.kind === "require-call") return { path: args.path, external: true };
      return { path: args.path, namespace: "require-external" };
    });
    b.onLoad({ filter: /.*/, namespace: "require-external" }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: "js" }));
  },
};

const common = {
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: EXTERNAL.filter((p) => !REQUIRED_EXTERNAL.has(p)),
  plugins: [requireExternals],
  // Bundled CommonJS packages (commander, ...) call require() for Node built-ins; an ES module has
  // no require, so give each output file one. Aliased so it cannot clash with bundled imports.
  banner: { js: 'import { createRequire as __scrlCreateRequire } from "node:module"; const require = __scrlCreateRequire(import.meta.url);' },
  sourcemap: "linked",
  legalComments: "none",
  // `--metafile` writes dist/bundle/meta*.json (what went into each file) for size questions.
  metafile: process.argv.includes("--metafile"),
  logLevel: "warning",
};

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const [cli, analysisWorker] = await Promise.all([
  // The CLI and the scan worker in one build, split at their lazy imports: a command loads only
  // the chunks it reaches, and a scan worker loads its entry and the chunks it shares with the CLI
  // (the scanner, the parser, the rules), not the analyzers a scan did not ask for. As one file of
  // its own the worker also held the vulnerability detector, the taint engine and zod (460 of its
  // 700 KB), which every worker read and pre-parsed at start though `-a rules` never runs them.
  // The saving is small: 1.5-2 ms of CPU per worker start (33.6 against 35.4 ms and 37.5 against
  // 39.0 ms, medians of 12 interleaved starts, 2 CPUs at load 11); most of a worker's ~35 ms start
  // is Node's own worker bootstrap (an empty ES module worker takes 20-45 ms). A worker still
  // shares no module state with the main thread: each thread instantiates the chunks it loads.
  build({ ...common, entryPoints: { main: entries.main, worker: entries.worker }, outdir, splitting: true, chunkNames: "chunk-[hash]" }),
  // The verifier's analysis thread as one file: AnalysisPool (in a CLI chunk here) finds it as
  // ./analysis-worker.js next to itself, as dist/verify/analysis-pool.js finds tsc's.
  build({ ...common, entryPoints: { "analysis-worker": entries.analysisWorker }, outdir }),
]);
if (cli.metafile) writeFileSync(join(outdir, "meta-main.json"), JSON.stringify(cli.metafile));
if (analysisWorker.metafile) writeFileSync(join(outdir, "meta-analysis-worker.json"), JSON.stringify(analysisWorker.metafile));
