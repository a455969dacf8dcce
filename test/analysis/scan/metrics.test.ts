import { describe, expect, it } from "vitest";
import { countLoc } from "../../../src/analysis/scan/metrics.js";

// Bandit's count_locs: a line counts unless it is blank or holds only a comment.
const byLines = (text: string) => text.split(/\r\n|\r|\n/).filter((l) => l.trim() !== "" && !l.trim().startsWith("#")).length;

describe("countLoc", () => {
  it("counts lines that are neither blank nor comment-only, whatever the line endings and blanks", () => {
    const cases = [
      "",
      "\n\n",
      "x = 1\n",
      "x = 1",
      "  # only a comment\n\t\n",
      "x = 1  # trailing comment\n",
      "a\r\nb\rc\n\n#d\r\n  e",
      "\f\v  y\n\u00a0# nbsp then comment\n\u3000z\n",
      "s = '''\n\n# inside a string still reads as a comment line\n'''\n",
    ];
    for (const text of cases) expect(countLoc(text), JSON.stringify(text)).toBe(byLines(text));
    expect(countLoc("a\r\nb\rc\n\n#d\r\n  e")).toBe(4);
  });
});
