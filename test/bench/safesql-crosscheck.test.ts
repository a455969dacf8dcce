import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SandboxPool } from "../../src/sandbox/index.js";
import { loadTasks } from "../../src/task/index.js";
import { crossCheckSafeSql, crossTable, quadrant } from "../../src/bench/safesql-crosscheck.js";
import { datasetPath } from "../helpers.js";

/**
 * The core of `npm run accept:vuln-safesql` on a slice of SafeSQL train: every reference program
 * whose attacks reveal injection must be flagged CWE-89 with a source-to-sink path. Skipped, with
 * a visible message, where ../shared/datasets is absent.
 */
const sql = datasetPath("safesql/train.parquet");

let pool: SandboxPool;
beforeAll(() => {
  pool = new SandboxPool({ jobs: 2 });
});
afterAll(async () => {
  await pool.close();
});

describe.skipIf(!sql)("SafeSQL: judge's attacks vs the detector", () => {
  it("flags every program the attacks inject, with its path", async () => {
    const { tasks } = await loadTasks(sql!, { dataset: "safesql", limit: 12 });
    const rows = await Promise.all(tasks.map((t) => crossCheckSafeSql(t, pool, { timeoutMs: 4000 })));
    const table = crossTable(rows);
    expect(table["attacks only"], "injectable programs the detector misses").toEqual([]);
    expect(table.both.length).toBeGreaterThan(0);
    for (const r of rows.filter((x) => quadrant(x) === "both")) expect(r.flow).toMatch(/^\d+: source: .* sink: /);
    for (const r of rows) expect(r.attackTests).toBeGreaterThan(0);
  }, 120_000);
});
