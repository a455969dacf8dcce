import { describe, expect, it } from "vitest";
import {
  ByteTokenizer,
  LineTokenizer,
  filteredDistribution,
  hitsStop,
  sampleToken,
  seededRandom,
  tokenizerFromJSON,
} from "../../src/model/index.js";

// logits chosen so the softmax is exactly [0.5, 0.25, 0.125, 0.125]
const LOGITS = [Math.log(4), Math.log(2), 0, 0];

describe("sampler filters on a fixed distribution", () => {
  it("top-k keeps the k most likely and renormalises", () => {
    const d = filteredDistribution(LOGITS, { temperature: 1, topK: 2, topP: 1 });
    expect(d[0]).toBeCloseTo(2 / 3, 10);
    expect(d[1]).toBeCloseTo(1 / 3, 10);
    expect(d[2]).toBe(0);
    expect(d[3]).toBe(0);
  });
  it("top-p keeps the token that crosses p", () => {
    // p=0.6: 0.5 < 0.6 so the 0.25 token is kept too; then mass 0.75 ≥ 0.6 stops
    const d = filteredDistribution(LOGITS, { temperature: 1, topK: 0, topP: 0.6 });
    expect(d.map((x) => Number(x.toFixed(6)))).toEqual([0.666667, 0.333333, 0, 0]);
    const onlyTop = filteredDistribution(LOGITS, { temperature: 1, topK: 0, topP: 0.5 });
    expect(onlyTop).toEqual([1, 0, 0, 0]);
  });
  it("temperature 2 takes the square root of probability ratios", () => {
    const d = filteredDistribution(LOGITS, { temperature: 2, topK: 0, topP: 1 });
    expect(d[0]! / d[1]!).toBeCloseTo(Math.SQRT2, 10);
  });
  it("temperature 0 is greedy and seeded draws follow the distribution", () => {
    expect(sampleToken(LOGITS, { temperature: 0, topK: 0, topP: 1 }, seededRandom(1))).toBe(0);
    const random = seededRandom(7);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[sampleToken(LOGITS, { temperature: 1, topK: 2, topP: 1 }, random)]!++;
    expect(counts[2]).toBe(0);
    expect(counts[3]).toBe(0);
    expect(counts[0]! / 4000).toBeGreaterThan(0.62);
    expect(counts[0]! / 4000).toBeLessThan(0.71);
  });
  it("stop sequences match the end of the text", () => {
    expect(hitsStop("x = 1\n```", ["```"])).toBe(true);
    expect(hitsStop("x = 1", ["```", ""])).toBe(false);
  });
});

describe("tokenizers", () => {
  it("byte tokenizer round-trips UTF-8 and skips specials", () => {
    const t = new ByteTokenizer();
    const ids = t.encode("é = 1");
    expect(ids.length).toBe(6);
    expect(t.decode([1, ...ids, 2])).toBe("é = 1");
  });
  it("line tokenizer builds ids from a corpus and maps unseen lines to unknown", () => {
    const t = LineTokenizer.fromCorpus(["a\nb\n", "b\nc"]);
    expect(t.lines).toEqual(["a\n", "b\n", "c"]);
    expect(t.decode(t.encode("b\na\n"))).toBe("b\na\n");
    expect(t.encode("zzz\n")).toEqual([LineTokenizer.UNKNOWN_ID]);
    expect(tokenizerFromJSON(t.toJSON()).encode("c")).toEqual(t.encode("c"));
  });
});
