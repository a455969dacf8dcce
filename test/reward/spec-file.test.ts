/**
 * A custom reward spec file through the CLI (the bundle): `verify --reward FILE` reads YAML or JSON
 * and scores with it. The bundled CLI once lost the YAML parser's `parse` on a dynamic import, so
 * every spec file failed with "parse is not a function".
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "../helpers.js";

describe("verify --reward FILE", () => {
  it("scores with a YAML spec that extends a built-in", () => {
    const dir = mkdtempSync(join(tmpdir(), "scrl-specfile-"));
    const spec = join(dir, "spec.yaml");
    writeFileSync(spec, "extends: real\nname: real-strict\nquality_weight: { default: 0.5 }\n");
    const samples = join(dir, "s.jsonl");
    writeFileSync(samples, JSON.stringify({ task_id: "a1b2c3d4", completion: "def read_user_file(name):\n    return 1\n" }) + "\n");
    const out = join(dir, "o.jsonl");
    const r = runCli(["verify", "--tasks", join(REPO_ROOT, "test/task/fixtures/seccodeplt.json"), "--samples", samples, "--reward", spec, "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    const line = JSON.parse(readFileSync(out, "utf8").split("\n")[0]!) as { reward: { spec: string; parts: { quality_weight: number } } };
    expect(line.reward.spec).toBe("real-strict");
    expect(line.reward.parts.quality_weight).toBe(0.5);
  }, 60_000);
});
