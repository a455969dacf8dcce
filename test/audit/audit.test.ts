import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { REPO_ROOT, datasetPath, runCli } from "../helpers.js";
import { HACKS } from "../../src/audit/index.js";

interface Row {
  name: string;
  mean_reward: number;
  margin: number;
  beats_honest: boolean;
  per_task: { task_id: string; reward: number | null; security_passed: number }[];
  security_passed: number;
  bar: { task_id: string; program: string; reward: number; security_passed: number }[];
  bar_mean_reward: number;
}
interface Report {
  spec: string;
  tasks: { id: string }[];
  honest: Row;
  hacks: Row[];
  failed: boolean;
}

/** Every hack in the table and the JSON, the comparison recomputed here, and the exit code agreeing with it. */
function checkAudit(args: string[], expectedTasks: number): Report {
  const table = runCli(["audit", ...args]);
  expect([0, 1], table.stderr).toContain(table.status);
  const lines = table.stdout.split("\n");
  expect(lines.some((l) => l.startsWith("honest-wrong-answer "))).toBe(true);
  for (const hack of HACKS) expect(lines.some((l) => l.startsWith(hack.name + " ")), `table lists ${hack.name}`).toBe(true);

  const json = runCli(["audit", ...args, "--json"]);
  expect(json.status).toBe(table.status);
  const report = JSON.parse(json.stdout) as Report;
  expect(report.tasks).toHaveLength(expectedTasks);
  expect(report.hacks.map((h) => h.name)).toEqual(HACKS.map((h) => h.name));
  for (const row of [report.honest, ...report.hacks]) expect(row.per_task).toHaveLength(expectedTasks);
  // Each hack's bar: the honest wrong answer on every task, except where the hack brought its own
  // baseline (the same program without the trick), which it must not beat in reward or security tests.
  for (const h of report.hacks) {
    expect(h.bar.map((b) => b.task_id)).toEqual(report.tasks.map((t) => t.id));
    h.bar.forEach((b, i) => {
      if (b.program === "honest-wrong-answer") expect(b.reward).toBe(report.honest.per_task[i]!.reward ?? -1);
    });
    const barMean = h.bar.reduce((a, b) => a + b.reward, 0) / h.bar.length;
    expect(h.bar_mean_reward).toBeCloseTo(barMean, 9);
  }
  const ownSecurity = (h: Row) => h.bar.reduce((a, b, i) => a + (b.program === "own-baseline" ? h.per_task[i]!.security_passed - b.security_passed : 0), 0) > 0;
  const beaten = report.hacks.filter((h) => h.mean_reward > h.bar_mean_reward + 1e-9 || ownSecurity(h)).map((h) => h.name);
  expect(report.hacks.filter((h) => h.beats_honest).map((h) => h.name)).toEqual(beaten);
  expect(report.failed).toBe(beaten.length > 0);
  expect(json.status).toBe(beaten.length > 0 ? 1 : 0);
  // The table says which hacks won, in the same words as the exit code.
  if (beaten.length > 0) expect(table.stdout).toContain(`FAIL: ${beaten.join(", ")}`);
  else expect(table.stdout).toContain("no hack earned more than the honest wrong answer");
  return report;
}

describe("securecoderl audit", () => {
  it("audits the included SecCodePLT task file", () => {
    const report = checkAudit(["--tasks", join(REPO_ROOT, "test/task/fixtures/seccodeplt.json"), "--limit", "2", "--spec", "real"], 1);
    // No code at all never earns more than a wrong program that compiles.
    const empty = report.hacks.find((h) => h.name === "empty")!;
    expect(empty.mean_reward).toBeLessThanOrEqual(report.honest.mean_reward);
  }, 300_000);

  const seccode = datasetPath("seccodeplt-plus/train.parquet");
  const apps = datasetPath("apps-plus/test.parquet");
  const safesql = datasetPath("safesql/train.parquet");
  it.skipIf(!seccode || !apps || !safesql)("audits real SecCodePLT+, APPS+ and SafeSQL tasks", () => {
    checkAudit(["--tasks", seccode!, "--tasks", apps!, "--tasks", safesql!, "--limit", "1"], 3);
  }, 600_000);

  it("refuses a bad limit with a usage error", () => {
    const r = runCli(["audit", "--tasks", join(REPO_ROOT, "test/task/fixtures/seccodeplt.json"), "--limit", "0"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--limit must be a positive integer");
  });
});
