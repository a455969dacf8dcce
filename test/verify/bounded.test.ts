import { describe, expect, it } from "vitest";
import { forEachBounded } from "../../src/verify/bounded.js";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("forEachBounded", () => {
  it("runs every item once, never more than width at a time, indexes in source order", async () => {
    const items = Array.from({ length: 23 }, (_, i) => i * 10);
    let running = 0;
    let peak = 0;
    const seen: [number, number][] = [];
    await forEachBounded(items, 4, async (item, index) => {
      running++;
      peak = Math.max(peak, running);
      // Uneven durations, so completions come out of order.
      for (let k = 0; k < (item / 10) % 3; k++) await tick();
      seen.push([index, item]);
      running--;
    });
    expect(peak).toBe(4);
    expect(seen.map(([i]) => i).sort((a, b) => a - b)).toEqual(items.map((_, i) => i));
    for (const [index, item] of seen) expect(item).toBe(items[index]);
  });

  it("takes items from an async source as they arrive and ends when it ends", async () => {
    async function* source() {
      for (let i = 0; i < 7; i++) {
        await tick();
        yield `s${i}`;
      }
    }
    const got: string[] = [];
    await forEachBounded(source(), 3, async (s) => {
      await tick();
      got.push(s);
    });
    expect(got.sort()).toEqual(["s0", "s1", "s2", "s3", "s4", "s5", "s6"]);
  });

  it("after a throw starts nothing new, lets the calls in flight finish, then rejects with the first error", async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = forEachBounded(Array.from({ length: 50 }, (_, i) => i), 3, async (i) => {
      started.push(i);
      await tick();
      if (i === 1) throw new Error("boom 1");
      await tick();
      if (i === 2) throw new Error("boom 2");
      finished.push(i);
    });
    await expect(run).rejects.toThrow("boom 1");
    // Items 0 and 2 were in flight when item 1 threw: both ran to their end before the rejection.
    expect(started).toEqual([0, 1, 2]);
    expect(finished).toEqual([0]);
  });

  it("does not wait on a source that has nothing more to give once a call has failed", async () => {
    let release!: () => void;
    const never = new Promise<void>((resolve) => (release = resolve));
    async function* source() {
      yield 1;
      await never; // a queue that generation has not filled yet
      yield 2;
    }
    await expect(forEachBounded(source(), 2, async () => Promise.reject(new Error("store failed")))).rejects.toThrow("store failed");
    release();
  });

  it("stops claiming once the signal aborts", async () => {
    const ac = new AbortController();
    const done: number[] = [];
    await forEachBounded(Array.from({ length: 20 }, (_, i) => i), 2, async (i) => {
      await tick();
      done.push(i);
      if (i === 3) ac.abort();
    }, { signal: ac.signal });
    expect(done.length).toBeGreaterThanOrEqual(4);
    expect(done.length).toBeLessThanOrEqual(5);
  });

  it("reports an error the source throws", async () => {
    function* source() {
      yield 1;
      throw new Error("bad line");
    }
    await expect(forEachBounded(source(), 2, async () => {})).rejects.toThrow("bad line");
  });
});
