import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { detect, type VulnContext } from "../../../src/analysis/vuln/index.js";

/**
 * Taint fixtures per class (`fixtures/<class>/*.py`). Each file says how it is analyzed and what
 * it must give:
 *   # context: entry=<function> cwe=<id>    (optional: the task context, as the verifier passes it)
 *   # expect: CWE-<id> | none               (a taint finding of that CWE with a path, or none)
 * `<case>.<rewrite>.py` files are metamorphic variants of `<case>.py` (neutral names, an extracted
 * helper, another import form, f-string / % / format, swapped branches): same expectation, and the
 * test checks that the variant's verdict equals its original's.
 */
const ROOT = join(import.meta.dirname, "fixtures");

interface Fixture {
  file: string;
  code: string;
  context: VulnContext;
  expected: string;
}

function load(dir: string, file: string): Fixture {
  const code = readFileSync(join(ROOT, dir, file), "utf8");
  const expected = /^# expect: (CWE-\d+|none)\s*$/m.exec(code)?.[1];
  if (!expected) throw new Error(`${dir}/${file}: no '# expect:' line`);
  const ctx = /^# context: (.*)$/m.exec(code)?.[1] ?? "";
  const context: VulnContext = {};
  for (const [, k, v] of ctx.matchAll(/(\w+)=(\S+)/g)) {
    if (k === "entry") context.entryFunction = v!;
    else if (k === "cwe") context.cwe = v!;
  }
  return { file: `${dir}/${file}`, code, context, expected };
}

/** The taint verdict: the distinct CWE ids of taint findings, or "none". */
function verdict(f: Fixture): string {
  const r = detect(f.code, f.context, f.file);
  expect(r.errors).toEqual([]);
  const ids = [...new Set(r.findings.filter((x) => x.test_name.startsWith("taint-")).map((x) => `CWE-${x.issue_cwe.id}`))].sort();
  return ids.length ? ids.join(",") : "none";
}

for (const dir of readdirSync(ROOT).sort()) {
  const fixtures = readdirSync(join(ROOT, dir)).filter((f) => f.endsWith(".py")).sort().map((f) => load(dir, f));
  describe(`taint fixtures: ${dir}`, () => {
    for (const f of fixtures) {
      it(`${f.file}: ${f.expected}`, () => {
        const r = detect(f.code, f.context, f.file);
        expect(r.errors).toEqual([]);
        const taint = r.findings.filter((x) => x.test_name.startsWith("taint-"));
        if (f.expected === "none") {
          expect(taint.map((x) => `${x.test_id} line ${x.line_number}: ${x.issue_text}`)).toEqual([]);
          return;
        }
        const hit = taint.find((x) => `CWE-${x.issue_cwe.id}` === f.expected);
        expect(hit, `no ${f.expected} in ${JSON.stringify(taint.map((x) => x.test_id))}`).toBeDefined();
        expect(hit!.flow![0]!.message).toMatch(/^source: /);
        expect(hit!.flow![hit!.flow!.length - 1]!.message).toMatch(/^sink: /);
      });
    }
    for (const variant of fixtures.filter((f) => f.file.split("/")[1]!.split(".").length > 2)) {
      const originalName = variant.file.replace(/\.[^./]+\.py$/, ".py");
      const original = fixtures.find((f) => f.file === originalName);
      it(`${variant.file} keeps the verdict of ${originalName}`, () => {
        expect(original, `${originalName} is missing`).toBeDefined();
        expect(verdict(variant)).toBe(verdict(original!));
      });
    }
  });
}
