import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { detect } from "../../../src/analysis/vuln/index.js";

/**
 * Flask handlers (fixtures/flask) and Django views (fixtures/django: request objects recognised by
 * behaviour, typing or registration, never by the parameter's name) where request data flows through helpers and locals into sinks (`*_vuln.py`,
 * flagged with the CWE named in their `# expect:` line, with a source-to-sink path), and the same
 * handlers with the value sanitized, validated or replaced by a constant (`*_safe.py`, no taint
 * finding). The detector runs without context: route handlers' request data are the sources.
 */
const FRAMEWORKS = ["flask", "django"];

describe.each(FRAMEWORKS)("%s fixtures", (framework) => {
  const dir = join(import.meta.dirname, "fixtures", framework);
  const files = readdirSync(dir).filter((f) => f.endsWith(".py")).sort();
  for (const file of files) {
    const code = readFileSync(join(dir, file), "utf8");
    const expected = /^# expect: (CWE-\d+|none)/m.exec(code)?.[1];
    it(`${file}: ${expected}`, () => {
      expect(expected).toBeDefined();
      const result = detect(code, {}, file);
      expect(result.errors).toEqual([]);
      const taint = result.findings.filter((f) => f.test_name.startsWith("taint-"));
      if (expected === "none") {
        expect(taint.map((f) => `${f.test_id} line ${f.line_number}: ${f.issue_text}`)).toEqual([]);
      } else {
        const id = Number(expected!.slice(4));
        const hit = taint.find((f) => f.issue_cwe.id === id);
        expect(hit, `no ${expected} in ${JSON.stringify(taint.map((f) => f.test_id))}`).toBeDefined();
        expect(hit!.test_id).toBe(`VULN-${expected}`);
        expect(hit!.flow!.length).toBeGreaterThanOrEqual(2);
        expect(hit!.flow![0]!.message).toMatch(/^source: /);
        expect(hit!.flow![hit!.flow!.length - 1]!.message).toMatch(/^sink: /);
      }
    });
  }
});
