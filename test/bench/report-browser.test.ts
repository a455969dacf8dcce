import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers.js";
import { MINI_DIR, tempDir } from "./helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) process.stderr.write(`SKIP: ${CHROMIUM} not found; the report rendering test is skipped (apt-get install chromium)\n`);

/**
 * report.html in headless Chromium: no console errors, the paper's tables and SVG charts present,
 * and hostile sample text (a completion carrying <script> and an onerror image) stays inert text.
 */
describe.skipIf(!hasChromium)("report.html in headless Chromium", () => {
  let root: string;
  let out: string;

  beforeAll(() => {
    root = tempDir();
    out = join(root, "run");
    const samples = join(root, "samples.jsonl");
    const hostile = "```python\n# </pre><script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned=2\">\nn = int(input())\nprint(sum(map(int, input().split())))\n```";
    writeFileSync(samples, [JSON.stringify({ task_id: "mini-sum", completion: hostile }), JSON.stringify({ task_id: "<b>evil</b>", completion: "<script>window.__pwned=3</script>" })].join("\n") + "\n");
    const r = runCli(["bench", "--tasks", join(MINI_DIR, "apps.jsonl"), "--limit", "1", "--samples", samples, "--out", out, "--quiet"]);
    if (r.status !== 0) throw new Error(`bench failed: ${r.stderr}`);
  }, 300_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("renders with no console errors, tables, charts and inert sample text", async () => {
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("console", (msg) => {
        if (msg.type() === "error") problems.push(msg.text());
      });
      page.on("pageerror", (err) => problems.push(err.message));
      await page.goto(pathToFileURL(join(out, "report.html")).href);
      expect(problems).toEqual([]);
      for (const id of ["table-main", "table-style", "table-severity", "table-training", "table-passk"]) expect(await page.locator(`#${id}`).count()).toBe(1);
      expect(await page.locator("svg.chart").count()).toBeGreaterThanOrEqual(2);
      expect(await page.locator("svg.chart rect").count()).toBeGreaterThan(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator("details.sample img").count()).toBe(0);
      expect(await page.locator("details.sample table.code").first().textContent()).toContain("<script>window.__pwned = 1</script>");
      expect(await page.locator("#table-errors").textContent()).toContain("<b>evil</b>");
      // The filter works and only hides samples.
      await page.fill("#filter-text", "evil");
      expect(await page.locator("details.sample:not([hidden])").count()).toBe(1);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
