import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers.js";

/** The tensor library stays behind src/model/tensor.ts, so replacing it means replacing one file. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("tensor library boundary", () => {
  it("only src/model/tensor.ts imports @tensorflow packages", () => {
    const importers = sources(join(REPO_ROOT, "src"))
      .filter((file) => /from\s+["']@tensorflow\/|import\(\s*["']@tensorflow\//.test(readFileSync(file, "utf8")))
      .map((file) => relative(REPO_ROOT, file));
    expect(importers).toEqual(["src/model/tensor.ts"]);
  });

  it("commands other than train and bench do not load it: src/model/index.ts and src/policy's static imports stay light", () => {
    const index = readFileSync(join(REPO_ROOT, "src", "model", "index.ts"), "utf8");
    expect(index).not.toMatch(/tensor|gpt|checkpoint|generate/);
    const local = readFileSync(join(REPO_ROOT, "src", "policy", "local.ts"), "utf8");
    // Only type imports of the model at the top; the modules themselves are imported on first use.
    for (const line of local.split("\n").filter((l) => /^import .*\/model\//.test(l))) expect(line).toMatch(/^import type /);
  });
});
