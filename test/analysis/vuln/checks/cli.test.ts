/** The checks as a user meets them: `securecoderl scan --analyzer vuln` on a file. */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "../../../helpers.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

describe("scan --analyzer vuln reports the CWE checks", () => {
  it("emits Bandit-shaped JSON results with analyzer 'vuln' for each marked class", () => {
    const res = runCli(["scan", join(FIXTURES, "authorization.py"), join(FIXTURES, "weak_crypto.py"), "--analyzer", "vuln", "--format", "json"]);
    expect(res.stderr).not.toMatch(/Error|failed/);
    const report = JSON.parse(res.stdout) as { results: Array<{ analyzer: string; test_id: string; filename: string; line_number: number; issue_cwe: { id: number } }> };
    const ids = new Set(report.results.map((r) => r.test_id));
    for (const id of ["VULN-CWE-327", "VULN-CWE-326"]) expect(ids).toContain(id);
    // A plain scan has no task: a function's parameters (the caller's identity among them) are the
    // caller's own values, so the authorization checks, whose only source is a parameter, stay quiet.
    for (const id of ["VULN-CWE-862", "VULN-CWE-863"]) expect(ids).not.toContain(id);
    for (const r of report.results) {
      expect(r.analyzer).toBe("vuln");
      expect(r.test_id).toBe(`VULN-CWE-${r.issue_cwe.id}`);
    }
  });
});
