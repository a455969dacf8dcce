import { describe, expect, it } from "vitest";
import { benignCounterparts, isPayloadLine, BENIGN_VALUE } from "../../src/judge/index.js";
import { sqlShape } from "../../src/judge/harness/sql-shape.js";
import { removePrompts } from "../../src/judge/harness/safesql.js";

describe("SQL statement shape", () => {
  it("is the same for statements that differ only in literal values", () => {
    const benign = "SELECT * FROM t WHERE name = 'scrlbenignvalue' AND n > 3";
    const bound = "SELECT * FROM t WHERE name = 'x'' OR ''1''=''1' AND n > 3.5";
    expect(sqlShape(bound)).toBe(sqlShape(benign));
  });
  it("changes when input is spliced into the grammar", () => {
    const benign = sqlShape("SELECT * FROM t WHERE name = 'scrlbenignvalue'");
    expect(sqlShape("SELECT * FROM t WHERE name = '' OR '1'='1'")).not.toBe(benign);
    expect(sqlShape("SELECT * FROM t WHERE name = 'x' UNION SELECT 1, 2 --'")).not.toBe(benign);
    expect(sqlShape("SELECT * FROM t WHERE id = 0 OR 1=1")).not.toBe(sqlShape("SELECT * FROM t WHERE id = scrlbenignvalue"));
  });
  it("reads comments, quoted identifiers, blobs and unterminated strings without looping", () => {
    expect(sqlShape("SELECT \"My Col\", [c], x'00' /* c */ FROM t -- end")).toBe("SELECT ID:my col , ID:c , STR COMMENT FROM T COMMENT");
    expect(sqlShape("SELECT 'abc")).toBe("SELECT STR");
  });
});

describe("benign counterpart of an attack input", () => {
  it("replaces exactly the lines that carry SQL metacharacters or keywords", () => {
    const { payloads, counterparts } = benignCounterparts("0\n' OR '1'='1\nFiction");
    expect(payloads).toEqual(["' OR '1'='1"]);
    expect(counterparts.map((c) => c.input)).toEqual([`0\n${BENIGN_VALUE}\nFiction`, "0\n11\nFiction"]);
    expect(isPayloadLine("10; DROP TABLE t")).toBe(true);
    expect(isPayloadLine("1 UNION SELECT 1")).toBe(true);
    expect(isPayloadLine("Living Room")).toBe(false);
    expect(isPayloadLine("2023-10-01")).toBe(false);
  });
});

describe("benign counterparts drawn from several value classes", () => {
  it("stand in a word, then the payload line's own digits (a fixed number when it has none)", () => {
    const { payloads, counterparts } = benignCounterparts("0 OR 1=1--\r\nadmin'--\n7");
    expect(payloads).toEqual(["0 OR 1=1--", "admin'--"]);
    expect(counterparts.map((c) => [c.name, c.values])).toEqual([["word", [BENIGN_VALUE, BENIGN_VALUE]], ["number", ["011", "0"]]]);
    expect(counterparts[1]!.input).toBe("011\n0\n7");
  });
  it("never hold SQL metacharacters or keywords, so spliced into a statement they are one token", () => {
    const attacks = ["0 OR 1=1", "x' UNION SELECT id, owner FROM items --", "1; DROP TABLE t", "0 OR product_id IN (101, 102)", "\"; ATTACH 'x' AS y"];
    for (const attack of attacks) {
      for (const c of benignCounterparts(attack).counterparts) {
        for (const v of c.values) {
          expect(isPayloadLine(v)).toBe(false);
          expect(sqlShape(`SELECT * FROM t WHERE id = ${v}`).split(" ")).toHaveLength(8);
          expect(sqlShape(`SELECT * FROM t WHERE id = ${attack}`)).not.toBe(sqlShape(`SELECT * FROM t WHERE id = ${v}`));
          // Inside a quoted literal only a quote breaks out; there an attack without one is a value.
          if (attack.includes("'")) expect(sqlShape(`SELECT * FROM t WHERE name = '${attack}'`)).not.toBe(sqlShape(`SELECT * FROM t WHERE name = '${v}'`));
        }
      }
    }
  });
});

describe("prompt removal", () => {
  it("removes the input() prompts in the order they were written", () => {
    expect(removePrompts("Name: Age: (1, 'a')\nAgain? ", ["Name: ", "Age: ", "Again? "])).toBe("(1, 'a')\n");
    expect(removePrompts("rows", ["Missing: "])).toBe("rows");
  });
});
