import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers.js";
import { tempDir } from "./helpers.js";
import { countColour } from "./report-png.js";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) process.stderr.write(`SKIP: ${CHROMIUM} not found; the drill-down and analyses browser test is skipped (apt-get install chromium)\n`);
/** Set to a folder to keep the desktop-width screenshots (overview, a drill-down, the analyses). */
const SHOTS = process.env.SECURECODERL_SCREENSHOT_DIR;

/**
 * The mini benchmark, then `securecoderl analyze` on it, then the report in headless Chromium at
 * desktop width: the drill-down of a failing insecure sample, search, and the analyses section.
 */
describe.skipIf(!hasChromium)("report drill-down, search and analyses in headless Chromium", () => {
  let root: string;
  let out: string;
  let analyze: ReturnType<typeof runCli>;

  beforeAll(() => {
    root = tempDir();
    out = join(root, "run");
    const bench = runCli(["bench", "--jobs", "2", "--quiet", "--out", out], { cwd: root });
    if (bench.status !== 0) throw new Error(`bench failed: ${bench.stderr}`);
    analyze = runCli(["analyze", out]);
  }, 300_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("analyze writes analysis.json, one SVG per plot and the report with an Analyses section", () => {
    expect(analyze.stderr).toBe("");
    expect(analyze.status).toBe(0);
    expect(analyze.stdout).toMatch(/22 judged samples analysed; quality vs function \(real, 20 compiling samples\): pearson -?\d\.\d{3}/);
    const a = JSON.parse(readFileSync(join(out, "analysis.json"), "utf8"));
    expect(a.specs).toEqual(expect.arrayContaining(["securecoderl", "real"]));
    expect(a.alpha_sweep.map((p: { alpha: number }) => p.alpha)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    for (const f of ["quality-vs-function.svg", "alpha-sweep.svg", "reward-distribution-real.svg", "cwe-finding-rate.svg"]) {
      expect(readFileSync(join(out, "analysis", f), "utf8")).toMatch(/^<\?xml[^]*<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    }
    const missing = runCli(["analyze", join(root, "nope")]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no metrics.json/);
  });

  it("shows a failing insecure sample's prompt slot, numbered code with the finding on its line, failing inputs, taint steps and per-spec rewards", async () => {
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
      const problems: string[] = [];
      page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
      page.on("pageerror", (e) => problems.push(e.message));
      await page.goto(pathToFileURL(join(out, "report.html")).href);
      expect(problems).toEqual([]);
      if (SHOTS) mkdirSync(SHOTS, { recursive: true });
      if (SHOTS) await page.screenshot({ path: join(SHOTS, "overview.png") });

      // Search: the CWE with and without its prefix, a rule id, an outcome, a task id.
      const shown = async (q: string) => {
        await page.fill("#filter-text", q);
        return page.locator("details.sample:not([hidden])").count();
      };
      const cwe89 = await shown("CWE-89");
      expect(cwe89).toBeGreaterThan(0);
      expect(await shown("89")).toBe(cwe89);
      expect(await shown("cwe-8")).toBe(0); // a CWE id matches whole, so CWE-8 does not find CWE-89
      expect(await shown("B608")).toBeGreaterThan(0);
      expect(await shown("timeout")).toBe(1);
      expect(await page.locator("details.sample:not([hidden]) summary").textContent()).toContain("mini-fizzbuzz");
      expect(await shown("mini-staff")).toBe(2);

      // The failing insecure SafeSQL sample.
      await page.fill("#filter-text", "mini-staff B608");
      const sample = page.locator("details.sample:not([hidden])");
      expect(await sample.count()).toBe(1);
      await sample.locator("summary").click();
      const flagged = sample.locator("table.code tr.flagged");
      expect(await flagged.count()).toBeGreaterThan(0);
      expect(await flagged.first().locator("td.mark").textContent()).toContain("B608");
      const line = Number(await flagged.first().getAttribute("data-line"));
      expect(await flagged.first().locator("td.ln").textContent()).toBe(String(line));
      const results = readFileSync(join(out, "results.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
      const stored = results.find((r) => r.task_id === "mini-staff" && r.findings.some((f: { test_id: string }) => f.test_id === "B608"));
      expect(stored.findings.find((f: { test_id: string }) => f.test_id === "B608").line_number).toBe(line);
      const taint = stored.findings.find((f: { flow?: unknown[] }) => f.flow && f.flow.length > 0);
      expect(await sample.locator("ol.flow li").count()).toBe(taint.flow.length);
      // Failing tests: input from the task, expected, actual.
      const failing = sample.locator("table.tests tbody tr");
      expect(await failing.count()).toBe(stored.tests.filter((t: { status: string }) => t.status !== "pass").length);
      const firstFail = stored.tests.findIndex((t: { status: string }) => t.status !== "pass");
      const task = readFileSync(join("bench-data", "mini", "safesql.jsonl"), "utf8");
      expect(task).toContain(JSON.stringify((await failing.first().locator("td").nth(3).textContent())!.trim()).slice(1, 12));
      expect(await failing.first().locator("td").first().textContent()).toBe(String(firstFail));
      // Rewards under both built-in specs, with their parts.
      expect(await sample.locator("table.rewards thead th").allTextContents()).toEqual(["part", "securecoderl", "real"]);
      const parts = await sample.locator("table.rewards tbody th").allTextContents();
      expect(parts.slice(0, 3)).toEqual(["reward", "function", "quality"]);
      // The REAL spec's quality part is 0 because of the finding: the reason its reward is not 1.
      expect(await sample.locator("table.rewards tbody tr").nth(2).locator("td").allTextContents()).toEqual(["0.400", "0"]);

      // Screenshot test: the drill-down renders with the flagged line visibly marked.
      // A full-page capture clipped to the sample, so the sticky search bar stays at the top of the page, off the sample.
      const box = (await sample.boundingBox())!;
      const scrollY = await page.evaluate(() => window.scrollY);
      const shot = await page.screenshot({ fullPage: true, clip: { x: box.x, y: box.y + scrollY, width: box.width, height: box.height }, ...(SHOTS ? { path: join(SHOTS, "drilldown-failing-insecure.png") } : {}) });
      expect(countColour(shot, [0xff, 0xe3, 0xe3])).toBeGreaterThan(500);

      // The analyses section, its tables and plots.
      await page.fill("#filter-text", "");
      const analyses = page.locator("#analyses");
      for (const id of ["analysis-reward-bins", "analysis-2x2", "analysis-alpha", "analysis-cwe", "analysis-difficulty", "analysis-structure"]) expect(await analyses.locator(`#${id}`).count()).toBe(1);
      expect(await analyses.locator("svg.chart").count()).toBeGreaterThanOrEqual(4);
      expect(await analyses.locator("#analysis-alpha tbody tr").count()).toBe(11);
      expect(await page.locator("#table-base-extended tbody tr").count()).toBe(2);
      if (SHOTS) {
        await analyses.screenshot({ path: join(SHOTS, "analyses.png") });
      }
    } finally {
      await browser.close();
    }
  }, 120_000);

  it("shows a stored chat prompt as inert text, even when it carries markup", async () => {
    // A run folder whose samples carry prompts (as runs that store them write), some hostile.
    const copy = join(root, "with-prompts");
    cpSync(out, copy, { recursive: true });
    const hostile = [{ role: "system", content: "Be careful.</pre><script>window.__pwned = 4</script>" }, { role: "user", content: "Write <img src=x onerror=\"window.__pwned=5\"> sum." }];
    const lines = readFileSync(join(copy, "results.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.stringify({ ...JSON.parse(l), prompt: hostile }));
    writeFileSync(join(copy, "results.jsonl"), `${lines.join("\n")}\n`);
    expect(runCli(["analyze", copy, "--quiet"]).status).toBe(0);
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
      await page.goto(pathToFileURL(join(copy, "report.html")).href);
      await page.locator("details.sample summary").first().click();
      const messages = page.locator("details.sample").first().locator(".msg");
      expect(await messages.locator(".role").allTextContents()).toEqual(["system", "user"]);
      expect(await messages.locator("pre.prompt").first().textContent()).toBe(hostile[0]!.content);
      expect(await page.locator("details.sample img").count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    } finally {
      await browser.close();
    }
  }, 120_000);
});
