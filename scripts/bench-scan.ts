/**
 * Speed of `securecoderl scan` against Debian's Bandit and against ruff's S rules through its
 * WebAssembly build (@astral-sh/ruff-wasm-nodejs, a devDependency; scripts/lib/ruff-wasm-scan.mjs),
 * measured in the same run (npm run bench:scan). Both ratios are printed; the goal is >= 3x each.
 *
 * 1. Whole process over a directory: generates N Python files (default 1,000) from the rule
 *    fixtures and varied templates into a temp dir, then times `securecoderl scan -a rules DIR`
 *    (as a user runs it: default --jobs, so worker threads when they pay) and `bandit -r DIR`
 *    (both writing JSON), interleaved, the median of --runs runs each (default 3), and prints the
 *    ratio (goal: >= 3x). Also `--jobs 1` (one thread), and start-up alone: both tools on a
 *    directory holding one small file. When ../shared/datasets is present, the same comparison on
 *    a second corpus of real code: the 1,310 SecCodePLT+ train programs.
 * 2. Per sample: median in-process `scanSource` time over the generated files vs the median time of
 *    one `bandit` process per sample over a small subset (default 20), and the ratio (goal: >= 100x).
 * Wall time is the goal's measure; each command's CPU time (user + system over all its threads,
 * from the reaped child's rusage) is printed beside it, since on a shared machine wall time
 * follows the neighbours' load.
 * Options: --files N, --bandit N, --runs N, --keep (leave the temp dir), --dir DIR: a third corpus,
 * a directory of your own timed the same way (the issue's figure was taken on the 1,243 Python
 * files of a clone of OWASP-Benchmark/BenchmarkPython, which is not in the repository), --compare-dist DIR: also
 * time `scan` from another build folder directly below the repo root, as SECURECODERL_DIST takes
 * it (say a copy of dist/ built at the base commit; the bundle finds package.json two levels up
 * and node_modules above it), in the same interleaved runs on both corpora, and print
 * this build's speed-up over it and whether the two reports agree: an A/B of a change measured
 * under the same load.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { autoJobs, scanSource } from "../src/analysis/scan/index.js";

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const nFiles = opt("files", 1000);
const banditN = opt("bandit", 20);
const runs = Math.max(1, opt("runs", 3));
const keep = argv.includes("--keep");
const compareDistArg = argv.indexOf("--compare-dist");
const dirArg = argv.indexOf("--dir");
const extraDir = dirArg >= 0 ? resolve(argv[dirArg + 1] ?? "") : undefined;
if (extraDir !== undefined && !existsSync(extraDir)) {
  console.log(`bench:scan: --dir ${extraDir} does not exist`);
  process.exit(2);
}
const compareDist = compareDistArg >= 0 ? resolve(argv[compareDistArg + 1] ?? "") : undefined;
if (compareDist !== undefined && !existsSync(join(compareDist, "bundle", "main.js")) && !existsSync(join(compareDist, "cli", "main.js"))) {
  console.log(`bench:scan: --compare-dist ${compareDist} holds no build (bundle/main.js or cli/main.js)`);
  process.exit(2);
}
const BANDIT = "/usr/bin/bandit";
const ROOT = resolve(import.meta.dirname, "..");

if (!existsSync(BANDIT)) {
  console.log(`bench:scan: ${BANDIT} not installed (apt install bandit); nothing to compare against`);
  process.exit(0);
}
// The bin runs dist/bundle/main.js when it is at least as new as tsc's dist/cli/main.js.
const mtime = (p: string) => (existsSync(p) ? statSync(p).mtimeMs : -1);
const bundleIsCurrent = () => mtime(join(ROOT, "dist", "bundle", "main.js")) >= mtime(join(ROOT, "dist", "cli", "main.js")) && mtime(join(ROOT, "dist", "cli", "main.js")) >= 0;
if (!bundleIsCurrent()) execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });

// ---- corpus -------------------------------------------------------------------------------
const fixtures: string[] = [];
const fixtureRoot = join(ROOT, "test", "analysis", "rules");
for (const family of readdirSync(fixtureRoot)) {
  const dir = join(fixtureRoot, family, "fixtures");
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir)) if (f.endsWith(".py")) fixtures.push(readFileSync(join(dir, f), "utf8"));
}

// Deterministic pseudo-random choices so every run scans the same corpus.
let seed = 12345;
const rnd = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};

const templates: ((i: number) => string)[] = [
  (i) => `import subprocess\n\ndef run_${i}(cmd):\n    return subprocess.check_output(cmd, shell=${i % 2 ? "True" : "False"})\n`,
  (i) => `import sqlite3\n\ndef find_${i}(conn, name):\n    cur = conn.cursor()\n    cur.execute("SELECT * FROM users WHERE name = '%s'" % name)\n    return cur.fetchall()\n`,
  (i) => `import hashlib\n\ndef digest_${i}(data: bytes) -> str:\n    return hashlib.${i % 3 ? "sha256" : "md5"}(data).hexdigest()\n`,
  (i) => `def solve_${i}():\n    n = int(input())\n    xs = list(map(int, input().split()))\n    best = 0\n    for a in xs:\n        for b in xs:\n            best = max(best, a * b % ${i + 7})\n    print(best)\n\nsolve_${i}()\n`,
  (i) => `import pickle, base64\n\ndef load_${i}(blob):\n    return pickle.loads(base64.b64decode(blob))\n`,
  (i) => `import random\n\nclass Token${i}:\n    def __init__(self):\n        self.value = ''.join(random.choice('abcdef') for _ in range(${8 + (i % 8)}))\n\n    def __repr__(self):\n        return f"Token({self.value!r})"\n`,
  (i) => `import yaml\n\ndef config_${i}(path):\n    with open(path) as fh:\n        return yaml.load(fh)\n`,
  (i) => `from flask import Flask, request\napp = Flask(__name__)\n\n@app.route("/e${i}")\ndef e${i}():\n    return str(eval(request.args.get("q", "1")))\n\nif __name__ == "__main__":\n    app.run(debug=True)\n`,
  (i) => `import os\n\ndef cleanup_${i}(path):\n    try:\n        os.remove(path)\n    except Exception:\n        pass\n    os.chmod("/tmp/out_${i}", 0o777)\n`,
  (i) => `def fib_${i}(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n\nassert fib_${i}(10) == 55\n`,
];

const corpus: string[] = [];
for (let i = 0; i < nFiles; i++) {
  if (i % 5 === 0 && fixtures.length > 0) corpus.push(fixtures[rnd(fixtures.length)]!);
  else {
    const parts = 1 + rnd(3);
    let body = "";
    for (let p = 0; p < parts; p++) body += `${templates[rnd(templates.length)]!(i * 3 + p)}\n`;
    corpus.push(body);
  }
}

const dir = mkdtempSync(join(tmpdir(), "scrl-bench-scan-"));
const tree = join(dir, "corpus");
corpus.forEach((code, i) => {
  const sub = join(tree, `pkg${i % 20}`);
  mkdirSync(sub, { recursive: true });
  writeFileSync(join(sub, `sample_${i}.py`), code);
});
const bytes = corpus.reduce((a, c) => a + Buffer.byteLength(c), 0);
console.log(`bench:scan: ${corpus.length} files (${(bytes / 1024).toFixed(0)} KiB) in ${tree}`);

// A second corpus of real code, when ../shared/datasets is beside the repo: the SecCodePLT+ train
// programs (setup + code before + vulnerable or patched body + code after), as the detector's
// acceptance script builds them. The generated corpus above is mostly tiny files, where process
// start-up and per-file overheads weigh most; real programs are larger.
const SECCODEPLT = resolve(ROOT, "..", "shared", "datasets", "seccodeplt-plus", "train.parquet");
let realFiles = 0;
let realBytes = 0;
if (existsSync(SECCODEPLT)) {
  const rows = (await parquetReadObjects({ file: await asyncBufferFromFile(SECCODEPLT) })) as Record<string, Record<string, string> | undefined>[];
  for (const row of rows) {
    const gt = row.ground_truth ?? {};
    const ut = row.unittest ?? {};
    for (const body of [gt.vulnerable_code, gt.patched_code]) {
      const code = `${ut.setup ?? ""}\n${gt.code_before ?? ""}\n${body ?? ""}\n${gt.code_after ?? ""}\n`;
      const sub = join(dir, "real", `task${realFiles % 20}`);
      mkdirSync(sub, { recursive: true });
      writeFileSync(join(sub, `program_${realFiles}.py`), code);
      realFiles++;
      realBytes += Buffer.byteLength(code);
    }
  }
  console.log(`bench:scan: ${realFiles} real programs (${(realBytes / 1024).toFixed(0)} KiB, SecCodePLT+ train) in ${join(dir, "real")}`);
} else {
  console.log(`bench:scan: real-code corpus skipped (${SECCODEPLT} not found)`);
}

// ---- 1. whole process over a directory ---------------------------------------------------------
/** CPU seconds of this process's reaped children (user + system), from /proc/self/stat. */
function childCpuSeconds(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[13]) + Number(fields[14])) / 100; // cutime + cstime, USER_HZ = 100
}

function timeIt(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { ms: number; cpuMs: number; status: number | null; stderr: string } {
  const c0 = childCpuSeconds();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: dir, encoding: "utf8", maxBuffer: 512 * 1024 * 1024, env });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, cpuMs: 1000 * (childCpuSeconds() - c0), status: r.status, stderr: r.stderr };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

mkdirSync(join(dir, "one"));
writeFileSync(join(dir, "one", "app.py"), corpus[1]!);

// The Bandit-compatible analyzer alone: the detector (on by default) has no counterpart in Bandit.
const ourCli = (target: string, out: string, extra: string[] = []) => [join(ROOT, "bin", "securecoderl.js"), "scan", "--analyzer", "rules", "--format", "json", "-o", join(dir, out), ...extra, target];
const banditCli = (target: string, out: string) => ["-r", target, "-f", "json", "-o", join(dir, out), "-q"];
const RUFF_SCAN = join(ROOT, "scripts", "lib", "ruff-wasm-scan.mjs");
const ruffCli = (target: string, out: string) => [RUFF_SCAN, target, join(dir, out)];
const cases = {
  ours: () => timeIt(process.execPath, ourCli("corpus", "ours.json")),
  ruff: () => timeIt(process.execPath, ruffCli("corpus", "ruff.json")),
  oursOneThread: () => timeIt(process.execPath, ourCli("corpus", "ours-j1.json", ["--jobs", "1"])),
  theirs: () => timeIt(BANDIT, banditCli("corpus", "bandit.json")),
  oursStart: () => timeIt(process.execPath, ourCli("one", "ours-one.json")),
  theirsStart: () => timeIt(BANDIT, banditCli("one", "bandit-one.json")),
  ...(realFiles > 0
    ? {
        oursReal: () => timeIt(process.execPath, ourCli("real", "ours-real.json")),
        theirsReal: () => timeIt(BANDIT, banditCli("real", "bandit-real.json")),
        ruffReal: () => timeIt(process.execPath, ruffCli("real", "ruff-real.json")),
      }
    : {}),
  ...(extraDir !== undefined
    ? {
        oursDir: () => timeIt(process.execPath, ourCli(extraDir, "ours-dir.json")),
        theirsDir: () => timeIt(BANDIT, banditCli(extraDir, "bandit-dir.json")),
        ruffDir: () => timeIt(process.execPath, ruffCli(extraDir, "ruff-dir.json")),
      }
    : {}),
  // The bin runs the build named by SECURECODERL_DIST (a folder below the repo root, or absolute).
  ...(compareDist !== undefined
    ? {
        compared: () => timeIt(process.execPath, ourCli("corpus", "compared.json"), { ...process.env, SECURECODERL_DIST: compareDist }),
        ...(realFiles > 0 ? { comparedReal: () => timeIt(process.execPath, ourCli("real", "compared-real.json"), { ...process.env, SECURECODERL_DIST: compareDist }) } : {}),
      }
    : {}),
};
/** The report each of our commands writes (a missing one means the command failed). */
const outputOf: Record<string, string> = { ours: "ours.json", oursOneThread: "ours-j1.json", oursStart: "ours-one.json", oursReal: "ours-real.json", oursDir: "ours-dir.json", compared: "compared.json", comparedReal: "compared-real.json" };
type CaseName = "ours" | "ruff" | "oursOneThread" | "theirs" | "oursStart" | "theirsStart" | "oursReal" | "theirsReal" | "ruffReal" | "oursDir" | "theirsDir" | "ruffDir" | "compared" | "comparedReal";
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, [] as number[]])) as Record<CaseName, number[]>;
// CPU time (user + system, all threads) beside wall time: on a machine shared with other work the
// wall ratio follows the neighbours' load, the CPU ratio much less.
const cpuTimes = Object.fromEntries(Object.keys(cases).map((k) => [k, [] as number[]])) as Record<CaseName, number[]>;
// Interleaved, so a change in the machine's load touches every command alike.
for (let r = 0; r < runs; r++) {
  for (const [name, run] of Object.entries(cases) as [CaseName, () => ReturnType<typeof timeIt>][]) {
    if (outputOf[name]) rmSync(join(dir, outputOf[name]), { force: true });
    const t = run();
    // Exit status 1 means findings, but also a crash before any report: the report must exist.
    if ((name.startsWith("ours") || name.startsWith("compared")) && ((t.status !== 0 && t.status !== 1) || !existsSync(join(dir, outputOf[name])))) {
      throw new Error(`securecoderl scan failed (${t.status}): ${t.stderr}`);
    }
    if (name.startsWith("ruff") && t.status !== 0) throw new Error(`ruff-wasm scan failed (${t.status}): ${t.stderr}`);
    times[name].push(t.ms);
    cpuTimes[name].push(t.cpuMs);
  }
}
const report = (file: string) => JSON.parse(readFileSync(join(dir, file), "utf8")) as { results: unknown[]; generated_at?: string };
const nOurs = report("ours.json").results.length;
const nTheirs = report("bandit.json").results.length;
const withoutTime = (file: string) => JSON.stringify({ ...report(file), generated_at: undefined });
const sameAsOneThread = withoutTime("ours.json") === withoutTime("ours-j1.json");
const [ours, oursOneThread, theirs, oursStart, theirsStart, ruffMs] = (["ours", "oursOneThread", "theirs", "oursStart", "theirsStart", "ruff"] as const).map((k) => median(times[k]));
const nRuff = (JSON.parse(readFileSync(join(dir, "ruff.json"), "utf8")) as { results: unknown[] }).results.length;
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`\nWhole process, ${corpus.length} files (median of ${runs} interleaved runs; ${availableParallelism()} CPUs):`);
console.log(`  securecoderl scan -a rules DIR            ${sec(ours!)}  (${nOurs} findings)`);
console.log(`  securecoderl scan -a rules DIR --jobs 1   ${sec(oursOneThread!)}  (same report: ${sameAsOneThread ? "yes" : "NO"})`);
console.log(`  bandit -r DIR                             ${sec(theirs!)}  (${nTheirs} findings; Bandit 1.6.2 has fewer checks)`);
console.log(`  ruff-wasm S rules (node, whole process)   ${sec(ruffMs!)}  (${nRuff} findings)`);
console.log(`  speed-up vs Bandit                        ${(theirs! / ours!).toFixed(1)}x  (--jobs 1: ${(theirs! / oursOneThread!).toFixed(1)}x)  (goal >= 3x)`);
console.log(`  speed-up vs ruff-wasm                     ${(ruffMs! / ours!).toFixed(1)}x  (--jobs 1: ${(ruffMs! / oursOneThread!).toFixed(1)}x)  (goal >= 3x)`);
const [oursCpu, oursOneThreadCpu, theirsCpu, ruffCpu] = (["ours", "oursOneThread", "theirs", "ruff"] as const).map((k) => median(cpuTimes[k]));
console.log(`  CPU time (user + system, median)          ours ${sec(oursCpu!)} (--jobs 1: ${sec(oursOneThreadCpu!)}), bandit ${sec(theirsCpu!)}, ruff-wasm ${sec(ruffCpu!)}`);
console.log(`  CPU ratio vs Bandit / ruff-wasm           ${(theirsCpu! / oursCpu!).toFixed(1)}x / ${(ruffCpu! / oursCpu!).toFixed(1)}x  (--jobs 1: ${(theirsCpu! / oursOneThreadCpu!).toFixed(1)}x / ${(ruffCpu! / oursOneThreadCpu!).toFixed(1)}x)`);
console.log(`Start-up (a directory with one small file):`);
console.log(`  securecoderl scan -a rules DIR            ${sec(oursStart!)}`);
console.log(`  bandit -r DIR                             ${sec(theirsStart!)}`);
console.log(`  machine load average                      ${loadavg().map((x) => x.toFixed(1)).join(" ")}  (default --jobs: ${autoJobs(corpus.length)} threads)`);
if (realFiles > 0) {
  const [oursReal, theirsReal, ruffReal] = (["oursReal", "theirsReal", "ruffReal"] as const).map((k) => median(times[k]));
  console.log(`Whole process, ${realFiles} real programs (SecCodePLT+ train, median of ${runs} interleaved runs):`);
  console.log(`  securecoderl scan -a rules DIR            ${sec(oursReal!)}  (${report("ours-real.json").results.length} findings)`);
  console.log(`  bandit -r DIR                             ${sec(theirsReal!)}  (${report("bandit-real.json").results.length} findings)`);
  console.log(`  ruff-wasm S rules (node, whole process)   ${sec(ruffReal!)}  (${(JSON.parse(readFileSync(join(dir, "ruff-real.json"), "utf8")) as { results: unknown[] }).results.length} findings)`);
  console.log(`  speed-up vs Bandit                        ${(theirsReal! / oursReal!).toFixed(1)}x  (goal >= 3x)`);
  console.log(`  speed-up vs ruff-wasm                     ${(ruffReal! / oursReal!).toFixed(1)}x  (goal >= 3x)`);
  const [oursRealCpu, theirsRealCpu, ruffRealCpu] = (["oursReal", "theirsReal", "ruffReal"] as const).map((k) => median(cpuTimes[k]));
  console.log(`  CPU time (user + system, median)          ours ${sec(oursRealCpu!)}, bandit ${sec(theirsRealCpu!)}, ruff-wasm ${sec(ruffRealCpu!)}: ${(theirsRealCpu! / oursRealCpu!).toFixed(1)}x / ${(ruffRealCpu! / oursRealCpu!).toFixed(1)}x`);
}
if (extraDir !== undefined) {
  const [oursDir, theirsDir, ruffDir] = (["oursDir", "theirsDir", "ruffDir"] as const).map((k) => median(times[k]));
  const results = (file: string) => (JSON.parse(readFileSync(join(dir, file), "utf8")) as { results: unknown[]; errors?: unknown[] });
  const bandit = results("bandit-dir.json");
  console.log(`Whole process, --dir ${extraDir} (median of ${runs} interleaved runs):`);
  console.log(`  securecoderl scan -a rules DIR            ${sec(oursDir!)}  (${results("ours-dir.json").results.length} findings)`);
  console.log(`  bandit -r DIR                             ${sec(theirsDir!)}  (${bandit.results.length} findings; ${bandit.errors?.length ?? 0} files it could not parse)`);
  console.log(`  ruff-wasm S rules (node, whole process)   ${sec(ruffDir!)}  (${results("ruff-dir.json").results.length} findings)`);
  console.log(`  speed-up vs Bandit                        ${(theirsDir! / oursDir!).toFixed(1)}x  (goal >= 3x)`);
  console.log(`  speed-up vs ruff-wasm                     ${(ruffDir! / oursDir!).toFixed(1)}x  (goal >= 3x)`);
  const [oursDirCpu, theirsDirCpu, ruffDirCpu] = (["oursDir", "theirsDir", "ruffDir"] as const).map((k) => median(cpuTimes[k]));
  console.log(`  CPU time (user + system, median)          ours ${sec(oursDirCpu!)}, bandit ${sec(theirsDirCpu!)}, ruff-wasm ${sec(ruffDirCpu!)}: ${(theirsDirCpu! / oursDirCpu!).toFixed(1)}x / ${(ruffDirCpu! / oursDirCpu!).toFixed(1)}x`);
}
if (compareDist !== undefined) {
  const agree = (a: string, b: string) => (withoutTime(a) === withoutTime(b) ? "yes" : "NO");
  console.log(`This build against --compare-dist ${compareDist} (same interleaved runs):`);
  console.log(`  ${corpus.length} files                              ${sec(median(times.compared))} there, ${sec(ours!)} here: ${(median(times.compared) / ours!).toFixed(2)}x  (same report: ${agree("compared.json", "ours.json")})`);
  if (realFiles > 0) {
    const here = median(times.oursReal);
    console.log(`  ${realFiles} real programs                     ${sec(median(times.comparedReal))} there, ${sec(here)} here: ${(median(times.comparedReal) / here).toFixed(2)}x  (same report: ${agree("compared-real.json", "ours-real.json")})`);
  }
  console.log(`  CPU time (median)                         ${sec(median(cpuTimes.compared))} there, ${sec(median(cpuTimes.ours))} here`);
}
if (!sameAsOneThread) process.exitCode = 1;

// ---- 2. per sample -----------------------------------------------------------------------------
for (const code of corpus.slice(0, 20)) scanSource(code); // warm-up (JIT, parser)
const inProc: number[] = [];
for (const code of corpus) {
  const t0 = process.hrtime.bigint();
  scanSource(code);
  inProc.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
const perProcess: number[] = [];
for (let i = 0; i < Math.min(banditN, corpus.length); i++) {
  const file = join(tree, `pkg${i % 20}`, `sample_${i}.py`);
  perProcess.push(timeIt(BANDIT, ["-f", "json", "-q", file]).ms);
}
const a = median(inProc);
const b = median(perProcess);
console.log(`\nPer sample (median):`);
console.log(`  scanSource in-process   ${a.toFixed(3)} ms  over ${inProc.length} samples`);
console.log(`  one bandit process      ${b.toFixed(1)} ms  over ${perProcess.length} samples`);
console.log(`  speed-up                ${(b / a).toFixed(0)}x   (goal >= 100x)`);

if (keep) console.log(`\nkept ${dir}`);
else rmSync(dir, { recursive: true, force: true });
