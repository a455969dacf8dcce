import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "../helpers.js";

/**
 * Issue 9, class 2 (jobs inherit the previous job), through `securecoderl verify --jobs 1`: a planter
 * sample puts fresh random markers in its code, stdin, stdout, stderr, result channel and a file;
 * the next sample on the same worker searches its own heap, its malloc free lists and every writable
 * page of /proc/self/mem for any marker, and prints what it found as its answer. It must find none
 * (the worker it is forked from never held a job's bytes), and the honest canary after it passes.
 */
const hostileDir = join(REPO_ROOT, "test", "sandbox", "hostile");
const canary = readFileSync(join(REPO_ROOT, "test", "sandbox", "canary", "clean_canary.py"), "utf8");
const PROBES = ["probe_previous_job_mem.py", "probe_previous_job_heap.py", "probe_previous_job_malloc.py"];

const scratch = mkdtempSync(join(tmpdir(), "scrl-previous-job-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const marker = () => `ZYG${"SECRET"}-${randomBytes(16).toString("hex")}`;

/** An honest echo solution that also leaves markers everywhere a job's bytes pass. */
function planter(): string {
  const [code, out, err, chan, file] = [marker(), marker(), marker(), marker(), marker()];
  return [
    "import sys, _scrl_channel",
    `SECRET_IN_CODE = ${JSON.stringify(code)}`,
    "line = sys.stdin.readline().strip()",
    `open("planted.txt", "w").write(${JSON.stringify(file)} * 1000)`,
    `sys.stderr.write(${JSON.stringify(err)} + "\\n")`,
    `_scrl_channel.write(${JSON.stringify(chan)} + "\\n")`,
    `print(line + " " + ${JSON.stringify(out)})`,
    "",
  ].join("\n");
}

interface SampleResult { task_id: string; passed: number; total: number; tests: Array<{ status: string; detail?: string }> }

describe("class 2: a job never finds a previous job's bytes (`verify --jobs 1`)", () => {
  it("no probe finds a marker of the sample before it, and the canary after each passes", () => {
    const stdinMarker = marker();
    const tasks = join(scratch, "tasks.jsonl");
    writeFileSync(tasks, [
      { problem_id: 1, question: "Print 2n.", solutions: [], starter_code: "", difficulty: "introductory", input_output: { inputs: ["3\n", "21\n"], outputs: ["6\n", "42\n"] } },
      { problem_id: 2, question: "Echo the line, then a space and anything.", solutions: [], starter_code: "", difficulty: "introductory", input_output: { inputs: [`${stdinMarker}\n`], outputs: [`${stdinMarker}\n`] } },
    ].map((t) => JSON.stringify(t)).join("\n") + "\n");
    const lines: string[] = [];
    const roles: string[] = [];
    for (const probe of PROBES) {
      lines.push(JSON.stringify({ task_id: "2", completion: planter() }));
      roles.push("planter");
      lines.push(JSON.stringify({ task_id: "1", completion: readFileSync(join(hostileDir, probe), "utf8") }));
      roles.push(probe);
      lines.push(JSON.stringify({ task_id: "1", completion: canary }));
      roles.push(`canary after ${probe}`);
    }
    const samples = join(scratch, "samples.jsonl");
    writeFileSync(samples, lines.join("\n") + "\n");
    const out = join(scratch, "out.jsonl");
    const res = runCli(["verify", "--tasks", tasks, "--dataset", "apps", "--samples", samples, "--out", out, "--jobs", "1", "--timeout", "10"], { timeoutMs: 600_000 });
    expect(res.status, res.stderr).toBe(0);
    const results = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as SampleResult);
    expect(results).toHaveLength(lines.length);
    results.forEach((r, i) => {
      const role = roles[i]!;
      const shown = `${role}: ${JSON.stringify(r.tests).slice(0, 600)}`;
      for (const t of r.tests) expect(t.status, shown).not.toBe("sandbox_error");
      if (role === "planter") return;
      if (role.startsWith("canary")) {
        expect(r.passed, shown).toBe(r.total);
        return;
      }
      // The probe prints what it found as its answer: "clean N" (it ran, found nothing) or "found [...]".
      expect(r.passed, shown).toBe(0);
      for (const t of r.tests) {
        expect(t.detail ?? "", shown).toMatch(/got "?clean/);
        expect(t.detail ?? "", shown).not.toContain("SECRET-");
      }
    });
  });
});
