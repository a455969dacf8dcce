import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScanWorkerPool } from "../../../src/analysis/scan/parallel.js";
import { autoJobs, FILES_PER_THREAD } from "../../../src/analysis/scan/paths.js";
import { scanFileList, scanWithWorkers } from "../../../src/analysis/scan/scanner.js";
import { runCli } from "../../helpers.js";

let dir: string;

// Varied modules: findings of several rules, nosec, syntax errors, undecodable bytes, empty files.
const SAMPLES: ((i: number) => string | Buffer)[] = [
  (i) => `import subprocess\n\ndef run_${i}(cmd):\n    return subprocess.check_output(cmd, shell=${i % 2 ? "True" : "False"})\n`,
  (i) => `import pickle\n\ndef load_${i}(blob):\n    return pickle.loads(blob)  # nosec\n\nvalue = eval("${i}")\n`,
  (i) => `import hashlib\n\ndef digest_${i}(data):\n    return hashlib.md5(data).hexdigest()\n`,
  (i) => `def broken_${i}(:\n    pass\n`,
  () => Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0xff, 0xfe]),
  () => "",
  (i) => `def fib_${i}(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n\nassert fib_${i}(10) == 55\n`,
  (i) => `import os\n\ntry:\n    os.remove("/tmp/x_${i}")\nexcept Exception:\n    pass\nos.chmod("/tmp/out_${i}", 0o777)\n`,
];
const FILES = 97; // not a multiple of any batch size

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "scrl-parallel-"));
  for (let i = 0; i < FILES; i++) {
    const sub = join(dir, "proj", `pkg${i % 7}`, i % 3 === 0 ? "deep" : "");
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `m${i}.py`), SAMPLES[i % SAMPLES.length]!(i));
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scan(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return runCli(["scan", "--analyzer", "rules", ...args], { cwd: dir, env });
}

const withoutTimestamp = (json: string) => ({ ...JSON.parse(json), generated_at: undefined });

describe("parallel scan", () => {
  it("gives the report of a single thread, byte for byte apart from the time, in every format", () => {
    const one = scan(["--format", "json", "--jobs", "1", "proj"]);
    expect(one.status).toBe(1);
    const report = withoutTimestamp(one.stdout);
    expect(Object.keys(report.metrics)).toHaveLength(FILES + 1);
    expect(report.errors.length).toBeGreaterThan(FILES / SAMPLES.length);
    for (const jobs of ["2", "3", "5"]) {
      const many = scan(["--format", "json", "--jobs", jobs, "proj"]);
      expect(many.status).toBe(1);
      expect(withoutTimestamp(many.stdout)).toEqual(report);
      expect(JSON.stringify(withoutTimestamp(many.stdout))).toBe(JSON.stringify(report));
    }
    expect(scan(["--format", "sarif", "--jobs", "3", "proj"]).stdout).toBe(scan(["--format", "sarif", "--jobs", "1", "proj"]).stdout);
    const text = (jobs: string) => scan(["--format", "text", "--jobs", jobs, "proj"]).stdout.replace(/^Run started:.*$/m, "");
    expect(text("4")).toBe(text("1"));
  });

  it("spreads batches over the threads asked for, the workers being the bundled ones", () => {
    const r = scan(["--format", "json", "--jobs", "3", "proj"], { ...process.env, SECURECODERL_DEBUG: "1" });
    expect(r.stderr).toMatch(/running .*dist\/bundle\/main\.js/);
    const m = /scan: (\d+) files in (\d+) batches on 3 threads: (\d+)\+(\d+)\+(\d+) batches \(this thread first\), 0 rescanned/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(Number(m![1])).toBe(FILES);
    expect(Number(m![3]) + Number(m![4]) + Number(m![5])).toBe(Number(m![2]));
  });

  it("scans a small directory in one thread by default", () => {
    const r = scan(["--format", "json", "proj/pkg0"], { ...process.env, SECURECODERL_DEBUG: "1" });
    expect(r.stderr).toMatch(/scan: \d+ files on 1 thread\n/);
  });

  it("rejects a --jobs that is not a positive integer or auto, with exit 2", () => {
    for (const bad of ["0", "-1", "1.5", "many"]) {
      const r = scan(["--jobs", bad, "proj"]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain("--jobs must be a positive integer or auto");
    }
    expect(scan(["--format", "json", "--jobs", "auto", "proj"]).status).toBe(1);
  });
});

describe("a scan worker that dies", () => {
  const CRASHING_WORKER = new URL("./fixtures/crashing-worker.mjs", import.meta.url);
  const corpusFiles = () => readdirSync(join(dir, "proj"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".py")).map((f) => join(dir, "proj", f)).sort();

  it("leaves the batches it claimed missing, not dropped", async () => {
    const files = corpusFiles();
    const pool = new ScanWorkerPool(2, CRASHING_WORKER);
    const work = pool.begin(files, { analyzers: ["rules"] });
    const results = await pool.finish();
    expect(results).toHaveLength(Math.ceil(files.length / work.batchSize));
    expect(Object.keys(results)).toHaveLength(results.length); // dense: array methods skip holes
    expect(results.every((r) => r === undefined)).toBe(true);
    expect(pool.share).toEqual([0, 0, 0]);
  });

  it("has its batches scanned again by the main thread: the outcomes are a single thread's", async () => {
    const files = corpusFiles();
    expect(files).toHaveLength(FILES);
    const options = { analyzers: ["rules" as const] };
    const outcomes = await scanWithWorkers(files, options, new ScanWorkerPool(2, CRASHING_WORKER));
    expect(outcomes).toEqual(await scanFileList(files, options));
  });
});

describe("autoJobs", () => {
  it("starts one thread per FILES_PER_THREAD files, at most one per CPU, at least one", () => {
    expect(autoJobs(0, 8)).toBe(1);
    expect(autoJobs(FILES_PER_THREAD * 2 - 1, 8)).toBe(1);
    expect(autoJobs(FILES_PER_THREAD * 2, 8)).toBe(2);
    expect(autoJobs(1_000_000, 8)).toBe(8);
    expect(autoJobs(1_000_000, 1)).toBe(1);
  });

  it("defaults to this machine's CPUs", () => {
    expect(autoJobs(1_000_000)).toBeGreaterThanOrEqual(1);
    expect(autoJobs(1_000_000)).toBeLessThanOrEqual(availableParallelism());
  });
});
