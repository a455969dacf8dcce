/**
 * npm run bench:serve -- the reward service's speed against the in-process Verifier, in one run.
 *
 *  1. HTTP overhead: the same samples verified in process and through `serve` (one worker process,
 *     the same number of sandbox jobs, cache off), one sample at a time (batch 1) and 32 a request
 *     (batch 32). Rounds alternate between the two so machine load hits both alike.
 *  2. Bounded load from this process (a second process to the server) on loopback: C clients each
 *     sending one-sample requests back to back (OpenRLHF v0.11's pattern): samples/s, p50/p99.
 *  3. Memory: 10,000 requests (half of them repeats the cache answers), RSS sampled from /metrics.
 *
 * Tasks: SecCodePLT+ reference programs when ../shared/datasets is there, else the bundled mini
 * tasks. Prints ratios and the load average: on a shared machine the absolute figures are noisy.
 *   --quick  fewer samples (a smoke run)
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { getSpec } from "../src/reward/index.js";
import { loadTasks, type Task } from "../src/task/index.js";
import { stringifyWireJson, Verifier } from "../src/verify/index.js";

const ROOT = resolve(import.meta.dirname, "..");
const quick = process.argv.includes("--quick");
const JOBS = 2;

async function workload(): Promise<{ name: string; items: Array<{ task: Task; completion: string }> }> {
  const sec = join(ROOT, "..", "shared", "datasets", "seccodeplt-plus", "train.parquet");
  if (existsSync(sec)) {
    const { tasks } = await loadTasks(sec);
    return { name: "SecCodePLT+ references", items: tasks.slice(0, quick ? 48 : 160).map((task) => ({ task, completion: `\`\`\`python\n${task.references[0]}\n\`\`\`` })) };
  }
  process.stderr.write("datasets not found: using the bundled mini tasks\n");
  const { tasks } = await loadTasks(join(ROOT, "bench-data", "mini", "seccodeplt.json"));
  const items = tasks.map((task) => ({ task, completion: `\`\`\`python\n${task.references[0]}\n\`\`\`` }));
  return { name: "mini SecCodePLT references", items: Array.from({ length: quick ? 48 : 96 }, (_, i) => items[i % items.length]!) };
}

/** Makes each item's program unique (a trailing comment), so no cache anywhere can answer it. */
const unique = (items: Array<{ task: Task; completion: string }>, round: number) =>
  items.map((it, i) => ({ task: it.task, completion: it.completion.replace(/\n```$/, `\n# r${round}-${i}\n\`\`\``) }));

async function startServe(args: string[]): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "scrl-bench-serve-"));
  const urlFile = join(dir, "url");
  const child = spawn(process.execPath, [join(ROOT, "bin", "securecoderl.js"), "serve", "--port", "0", "--url-file", urlFile, ...args], { stdio: ["ignore", "ignore", "inherit"] });
  while (!existsSync(urlFile) || readFileSync(urlFile, "utf8").trim() === "") {
    if (child.exitCode !== null) throw new Error("serve exited");
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = readFileSync(urlFile, "utf8").trim();
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function post(url: string, items: Array<{ task: Task; completion: string }>): Promise<number[]> {
  const res = await fetch(`${url}/v1/rewards`, { method: "POST", headers: { "content-type": "application/json" }, body: stringifyWireJson({ items: items.map((i) => ({ task: i.task, completion: i.completion })) }) });
  if (!res.ok) throw new Error(`serve answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { results: Array<{ reward: number }> };
  return body.results.map((r) => r.reward);
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function overhead(items: Array<{ task: Task; completion: string }>): Promise<void> {
  const verifier = new Verifier({ spec: getSpec("real"), jobs: JOBS, limits: { timeoutMs: 4000 } });
  await verifier.warm();
  const served = await startServe(["--workers", "1", "--jobs", String(JOBS), "--cache", "0", "--spec", "real"]);
  try {
    for (const batch of [1, 32]) {
      const rounds = 3;
      let local = 0;
      let remote = 0;
      for (let round = 0; round < rounds; round++) {
        // Warm-up excluded: the first pass through each path compiles code and starts pyright.
        const run = async (which: "local" | "remote", r: number) => {
          const work = unique(items, r * 10 + (which === "local" ? 0 : 1) + batch * 1000);
          const t0 = performance.now();
          for (let i = 0; i < work.length; i += batch) {
            const chunk = work.slice(i, i + batch);
            if (which === "local") await Promise.all(chunk.map((c) => verifier.verify(c.task, c.completion)));
            else await post(served.url, chunk);
          }
          return performance.now() - t0;
        };
        if (round === 0) {
          await run("local", 99);
          await run("remote", 99);
        }
        if (round % 2 === 0) {
          local += await run("local", round);
          remote += await run("remote", round);
        } else {
          remote += await run("remote", round);
          local += await run("local", round);
        }
      }
      const n = items.length * rounds;
      process.stdout.write(
        `batch ${String(batch).padStart(2)}: in-process ${(local / n).toFixed(1)} ms/sample (${((1000 * n) / local).toFixed(1)} samples/s), HTTP ${(remote / n).toFixed(1)} ms/sample (${((1000 * n) / remote).toFixed(1)} samples/s); overhead ${(((remote - local) / local) * 100).toFixed(1)}%${batch === 32 ? " (goal <= 10%)" : ""}\n`,
      );
    }
  } finally {
    await served.stop();
    await verifier.close();
  }
}

async function load(items: Array<{ task: Task; completion: string }>): Promise<void> {
  const workers = availableParallelism();
  const served = await startServe(["--workers", String(workers), "--cache", "0", "--spec", "real"]);
  try {
    for (const clients of [4, 16]) {
      const work = unique(items, 5000 + clients);
      let next = 0;
      const latencies: number[] = [];
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (next < work.length) {
            const item = work[next++]!;
            const s = performance.now();
            await post(served.url, [item]);
            latencies.push(performance.now() - s);
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      latencies.sort((a, b) => a - b);
      process.stdout.write(
        `load: ${clients} clients, one sample a request, ${workers} server processes: ${(work.length / seconds).toFixed(1)} samples/s, p50 ${pct(latencies, 50).toFixed(0)} ms, p99 ${pct(latencies, 99).toFixed(0)} ms (${work.length} samples)\n`,
      );
    }
  } finally {
    await served.stop();
  }
}

async function memory(): Promise<void> {
  const total = quick ? 2000 : 10_000;
  const served = await startServe(["--workers", "1", "--jobs", String(JOBS), "--cache", "1000", "--tasks", join(ROOT, "bench-data", "mini", "apps.jsonl")]);
  const rss = async () => {
    const text = await (await fetch(`${served.url}/metrics`)).text();
    return Number(/securecoderl_process_resident_memory_bytes (\d+)/.exec(text)?.[1] ?? 0) / 1024 / 1024;
  };
  const marks: string[] = [];
  try {
    let next = 0;
    let done = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < total) {
          const i = next++;
          // Half repeat a few programs (the cache answers), half are new: a syntax error costs one sandbox job.
          const completion = i % 2 === 0 ? `print(${i % 50}` : `x = (${i}`;
          const res = await fetch(`${served.url}/v1/rewards`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ items: [{ label: "mini-sum", completion }] }) });
          if (!res.ok) throw new Error(`serve answered ${res.status}`);
          await res.arrayBuffer();
          if (++done % 1000 === 0) marks.push(`${done}: ${(await rss()).toFixed(0)} MB`);
        }
      }),
    );
    process.stdout.write(`memory: ${total} requests in ${((performance.now() - t0) / 1000).toFixed(0)} s; server RSS after each 1000: ${marks.join(", ")}\n`);
  } finally {
    await served.stop();
  }
}

async function main(): Promise<void> {
  const { name, items } = await workload();
  process.stdout.write(`bench:serve on ${name}: ${items.length} samples a round, ${JOBS} sandbox jobs; load average at start ${loadavg().map((x) => x.toFixed(2)).join(" ")}\n`);
  await overhead(items);
  await load(items);
  await memory();
  process.stdout.write(`load average at end ${loadavg().map((x) => x.toFixed(2)).join(" ")}\n`);
}

await main();
