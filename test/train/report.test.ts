import { describe, expect, it } from "vitest";
import { lineChart, parseMetrics, renderReport } from "../../src/train/report.js";

describe("report.html", () => {
  it("plots an SFT run's loss curves and an RL run's reward, patched share and KL, with no external assets", () => {
    const sft = renderReport(parseMetrics('{"step":1,"loss":2.5,"lr":0.001}\n{"step":2,"loss":1.5,"val_loss":1.8}\n'), { algorithm: "sft" }, "sft run");
    expect(sft).toContain('aria-label="Loss"');
    expect(sft).toContain("val_loss");
    const rl = renderReport(
      parseMetrics('{"step":1,"reward_mean":0.5,"patched_share":0.3,"vulnerable_share":0.6,"kl":0}\n{"step":2,"reward_mean":0.8,"patched_share":0.7,"vulnerable_share":0.2,"kl":0.05}\n'),
      { algorithm: "grpo", note: "<b>" },
      "grpo run",
    );
    for (const title of ["Mean reward", "Patched vs vulnerable share", "KL to the reference (nats/token)"]) expect(rl).toContain(`aria-label="${title}"`);
    expect(rl).toContain("&lt;b&gt;");
    expect(rl).not.toMatch(/<script|<link|src="|href="http/);
  });

  it("skips a line cut by kill -9 and draws each point where its value says", () => {
    expect(parseMetrics('{"step":1,"loss":1}\n{"step":2,"lo')).toEqual([{ step: 1, loss: 1 }]);
    // x from 1 to 3 over the plot's width (left 52, right edge 410), y from 0 to 1 over its height (top 24, bottom 172).
    const svg = lineChart("t", [{ name: "y", points: [[1, 0], [2, 1], [3, 0.5]] }]);
    expect(svg).toContain('points="52.0,172.0 231.0,24.0 410.0,98.0"');
  });
});
