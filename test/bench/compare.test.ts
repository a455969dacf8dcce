import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers.js";
import { tempDir } from "./helpers.js";

/** compare over two real runs of the mini benchmark that computed different pass@k values. */
describe("securecoderl compare shows pass@k for every k computed", () => {
  let root: string;
  let a: string;
  let b: string;

  beforeAll(() => {
    root = tempDir();
    a = join(root, "a");
    b = join(root, "b");
    for (const [out, k] of [[a, "1,2,3"], [b, "1,5"]] as const) {
      const r = runCli(["bench", "--jobs", "2", "--quiet", "--pass-k", k, "--name", `k${k}`, "--out", out], { cwd: root });
      if (r.status !== 0) throw new Error(`bench failed: ${r.stderr}`);
    }
  }, 300_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("has one column per k in the union of the runs' k values, '-' where a run did not compute one", () => {
    const text = runCli(["compare", "--by", "model", a, b]);
    expect(text.status).toBe(0);
    const [head, , rowA, rowB] = text.stdout.split("\n");
    const cols = head!.split(/\s{2,}/);
    expect(cols.filter((c) => c.startsWith("pass@"))).toEqual(["pass@1", "pass@2", "pass@3", "pass@5"]);
    const cell = (row: string, name: string) => row.split(/\s{2,}/)[cols.indexOf(name)];
    expect(cell(rowA!, "pass@3")).toMatch(/^\d+\.\d%$/);
    expect(cell(rowA!, "pass@5")).toBe("-");
    expect(cell(rowB!, "pass@2")).toBe("-");
    // The mini benchmark has at most 4 samples a task, so pass@5 is estimated over no task.
    expect(cell(rowB!, "pass@5")).toBe("-");
    expect(cell(rowA!, "pass@1")).toBe(cell(rowB!, "pass@1"));
    const md = runCli(["compare", "--format", "markdown", a, b]).stdout.split("\n")[0]!;
    expect(md).toContain("| pass@1 | pass@2 | pass@3 | pass@5 |");
  });
});
