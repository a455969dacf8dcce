import { existsSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers.js";
import { readResults, tempDir, withoutTimings } from "./helpers.js";
import { recomputeMetrics } from "./recompute.js";

/** The bundled mini benchmark through the real CLI, exactly as a newcomer runs it. */
describe("securecoderl bench (mini benchmark, no arguments)", () => {
  let root: string;
  let out: string;
  let run: ReturnType<typeof runCli>;

  beforeAll(() => {
    root = tempDir();
    // No task or model arguments: a new folder ./securecoderl-out/mini-ID under cwd, linked as latest.
    run = runCli(["bench", "--jobs", "2"], { cwd: root });
    out = join(root, "securecoderl-out", readlinkSync(join(root, "securecoderl-out", "latest")));
  }, 300_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("finishes and says where the report is", () => {
    expect(run.stderr).toContain("bundled mini benchmark");
    expect(run.status).toBe(0);
    expect(out).toMatch(/securecoderl-out\/mini-\d{8}-\d{6}-[a-z0-9]{3}$/);
    expect(run.stdout).toMatch(/generation: 22 of 22 generated \(0 from the cache\), 0 failed/);
    expect(run.stdout).toContain(join(out, "report.html"));
    for (const f of ["results.jsonl", "metrics.json", "report.html", "findings.sarif", "run.sqlite"]) expect(existsSync(join(out, f))).toBe(true);
  });

  it("metrics.json equals an independent recomputation from results.jsonl", () => {
    const results = readResults(out);
    const metrics = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8"));
    const { run: runInfo, ...rest } = metrics;
    expect(runInfo.reward_spec).toBe("securecoderl");
    expect(rest).toEqual(recomputeMetrics(results, "LOW", [1, 2, 3]));
  });

  it("spans correct, wrong, insecure, non-compiling, no-code, looping and unknown-task samples", () => {
    const results = readResults(out);
    const find = (task: string, index: number) => results.find((r) => r.task_id === task && r.sample_index === index)!;
    expect(find("mini-sum", 0)).toMatchObject({ status: "ok", compiled: true, passed: 4, total: 4, findings: [] });
    expect(find("mini-sum", 0).reward.value).toBe(1);
    expect(find("mini-sum", 1).passed).toBe(2);
    expect(find("mini-sum", 2)).toMatchObject({ compiled: false });
    expect(find("mini-sum", 2).compile_error).toMatch(/never closed/);
    expect(find("mini-sum", 3).findings.map((f: { test_id: string }) => f.test_id)).toContain("B307");
    expect(find("mini-palindrome", 1)).toMatchObject({ code: null, error: "completion holds no code" });
    expect(find("mini-vowels", 1).module_level_solution).toBe(true);
    expect(find("mini-fizzbuzz", 1).tests.map((t: { status: string }) => t.status)).toEqual(["timeout", "timeout", "timeout"]);
    expect(find("mini-staff", 1).findings.map((f: { issue_cwe: { id: number } }) => f.issue_cwe.id)).toContain(89);
    expect(find("mini-staff", 0).findings).toEqual([]);
    const unknown = results.find((r) => r.task_id === "no-such-task")!;
    expect(unknown).toMatchObject({ status: "unknown_task", reward: null, dataset: "(unknown)" });
    expect(unknown.error).toMatch(/unknown task id/);
    // The verify contract's fields are all there.
    for (const r of results) for (const k of ["task_id", "sample_index", "compiled", "tests", "passed", "total", "findings", "reward", "model", "dataset", "style", "cwe", "error"]) expect(r).toHaveProperty(k);
  });

  it("reports metrics per dataset, style, CWE and model with both all-pass denominators", () => {
    const m = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8"));
    expect(Object.keys(m.by_dataset).sort()).toEqual(["(unknown)", "apps", "safesql", "seccodeplt"]);
    expect(Object.keys(m.by_style).sort()).toEqual(["call", "stdin"]);
    expect(Object.keys(m.by_cwe).sort()).toEqual(["327", "502", "95"]);
    expect(m.overall.errored).toBe(1);
    expect(m.overall.all_pass_rate_of_compiling).toBeGreaterThan(m.overall.all_pass_rate);
    expect(m.overall.module_level_solution).toBe(1);
    expect(m.overall.pass_at_k["1"].tasks).toBe(8);
  });

  it("writes SARIF 2.1.0 with one result per finding", () => {
    const sarif = JSON.parse(readFileSync(join(out, "findings.sarif"), "utf8"));
    const findings = readResults(out).reduce((a, r) => a + r.findings.length, 0);
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs[0].results).toHaveLength(findings);
    expect(sarif.runs[0].results.some((r: { codeFlows?: unknown }) => r.codeFlows)).toBe(true);
  });

  it("stores the reward under every built-in spec, the run's own equal to `reward`, and every setting in metrics.json", () => {
    for (const r of readResults(out)) {
      if (r.status !== "ok") {
        expect(r.rewards).toEqual({});
        continue;
      }
      expect(Object.keys(r.rewards).sort()).toEqual(["real", "securecoderl"]);
      expect(r.rewards.securecoderl).toEqual({ reward: r.reward.value, parts: r.reward.parts });
      expect(r.prompt).toBeNull(); // replayed: no prompt was sent
      expect(r.cached).toBe(false);
    }
    // The paper's case: an insecure program that passes everything keeps 1.0 under SecureCodeRL's
    // rules-only spec while REAL's detector-based spec marks it down.
    const digest = readResults(out).find((r) => r.task_id === "mini-digest" && r.sample_index === 1)!;
    expect(digest.rewards.securecoderl.reward).toBe(1);
    expect(digest.rewards.real.reward).toBe(0.5);
    const s = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8")).run.settings;
    expect(s).toMatchObject({ prompt_format: "chat", judge: "strict", severity: "LOW", timeout_ms: 1500, cache: true, project_version: expect.any(String) });
    expect(s.reward_spec).toMatchObject({ name: "securecoderl", hash: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(s.models).toEqual([expect.objectContaining({ name: "demo-replay", backend: "replay" })]);
    for (const k of ["temperature", "top_p", "n", "seed", "max_tokens", "system_prompt", "git_commit"]) expect(s).toHaveProperty(k);
  });

  it("gives a second run of the same command a folder of its own", () => {
    const second = runCli(["bench", "--jobs", "2", "--quiet"], { cwd: root });
    expect(second.status).toBe(0);
    const latest = join(root, "securecoderl-out", readlinkSync(join(root, "securecoderl-out", "latest")));
    expect(latest).not.toBe(out);
    expect(readResults(latest).map(withoutTimings)).toEqual(readResults(out).map(withoutTimings));
  }, 300_000);

  it("refuses to overwrite a run without --force or --resume, and --resume of a finished run changes nothing", () => {
    const before = readFileSync(join(out, "results.jsonl"), "utf8");
    const again = runCli(["bench", "--out", out], { cwd: root });
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/already holds a run; pass --resume .* or --force/);
    const resumed = runCli(["bench", "--out", out, "--resume", "--quiet"], { cwd: root });
    expect(resumed.status).toBe(0);
    expect(readFileSync(join(out, "results.jsonl"), "utf8")).toBe(before);
  });

  it("compare tabulates runs side by side in text, markdown and JSON", () => {
    const text = runCli(["compare", out, out]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/run\s+group\s+samples/);
    expect(text.stdout).toContain("mini (2)");
    const md = runCli(["compare", "--format", "markdown", out]);
    expect(md.stdout.split("\n")[1]).toMatch(/^\| --- \| --- \| ---: /);
    const json = JSON.parse(runCli(["compare", "--format", "json", "--by", "model", out]).stdout);
    expect(json).toEqual([expect.objectContaining({ run: "mini", group: "demo-replay", samples: 22 })]);
    const missing = runCli(["compare", join(root, "nope")]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no metrics.json/);
  });
});
