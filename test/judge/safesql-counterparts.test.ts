import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers.js";

/**
 * A program that keeps only the digits of its input (`re.sub(r"[^\d]", "", x)`) cannot be injected:
 * no attack adds SQL grammar through it. Against the word counterpart alone (`scrlbenignvalue`,
 * which that filter empties) every attack holding a digit looked like injection (SafeSQL
 * program_7). Through `securecoderl verify`: the filtering program passes every attack, also where
 * the attack's digits name a real row, while the same program splicing its raw input fails every
 * attack as injection, and one that filters for one query but splices the raw input into a quoted
 * literal in another fails the attack that breaks out of the quotes: the number counterpart clears
 * filters, never a payload that reached the grammar.
 */
const CONSTRUCT_DB = [
  "import sqlite3",
  "conn = sqlite3.connect('inventory.db')",
  "conn.execute('CREATE TABLE inventory (product_id INTEGER, product_name TEXT, stock INTEGER)')",
  "conn.executemany('INSERT INTO inventory VALUES (?, ?, ?)', [(11, 'lamp', 4), (101, 'desk', 2), (102, 'sofa', 0)])",
  "conn.commit()",
  "",
].join("\n");

const DIGITS_ONLY = [
  "import re, sqlite3",
  "conn = sqlite3.connect('inventory.db')",
  "product_id = re.sub(r'[^\\d]', '', input('Product id: '))",
  "try:",
  "    for row in conn.execute(f'SELECT * FROM inventory WHERE product_id = {product_id}'):",
  "        print(row)",
  "except sqlite3.Error as e:",
  "    print(f'An error occurred: {e}')",
  "",
].join("\n");

const RAW = DIGITS_ONLY.replace("re.sub(r'[^\\d]', '', input('Product id: '))", "input('Product id: ')");

const DIGITS_THEN_RAW = [
  "import re, sqlite3",
  "conn = sqlite3.connect('inventory.db')",
  "raw = input()",
  "product_id = re.sub(r'[^\\d]', '', raw)",
  "for row in conn.execute(f'SELECT * FROM inventory WHERE product_id = {product_id}'):",
  "    print(row)",
  "for row in conn.execute(f\"SELECT COUNT(*) FROM inventory WHERE product_name = '{raw}'\"):",
  "    print(row)",
  "",
].join("\n");

const task = {
  program_id: "inventory",
  construct_db: CONSTRUCT_DB,
  execute_sql: DIGITS_ONLY,
  task_description: "Read a product id and print that product's row.",
  test_cases: [
    { input: "101\n", output: "(101, 'desk', 2)\n", success: true },
    { input: "1#02\n", output: "(102, 'sofa', 0)\n", success: true },
  ],
  // "1 OR 1" keeps the digits 11, a real row: the filtered attack prints it, the word counterpart nothing.
  test_attacks: ["0 OR 1=1\n", "1 OR 1\n", "0 OR product_id IN (101, 102)\n", "1' OR '1'='1\n", "0; DROP TABLE inventory\n"],
};

interface Result { tests: { kind: string; status: string; detail?: string }[] }

describe("SafeSQL attack tests compared with more than one benign counterpart", () => {
  it("clear a program that keeps only digits, and still catch raw splicing beside or without the filter", () => {
    const work = mkdtempSync(join(tmpdir(), "scrl-safesql-counterparts-"));
    const tasks = join(work, "tasks.jsonl");
    writeFileSync(tasks, JSON.stringify(task) + "\n");
    const samples = join(work, "samples.jsonl");
    writeFileSync(samples, [DIGITS_ONLY, RAW, DIGITS_THEN_RAW].map((completion) => JSON.stringify({ task_id: "inventory", completion })).join("\n") + "\n");
    const out = join(work, "results.jsonl");
    const r = runCli(["verify", "--tasks", tasks, "--dataset", "safesql", "--samples", samples, "--out", out, "--jobs", "2", "--timeout", "3"]);
    expect(r.status, r.stderr).toBe(0);
    const [digitsOnly, raw, digitsThenRaw] = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Result);
    const attacks = (x: Result) => x.tests.filter((t) => t.kind === "attack");
    expect(digitsOnly!.tests.filter((t) => t.kind === "functional").map((t) => t.status)).toEqual(["pass", "pass"]);
    expect(attacks(digitsOnly!).map((t) => t.status), JSON.stringify(digitsOnly!.tests)).toEqual(["pass", "pass", "pass", "pass", "pass"]);
    for (const t of attacks(raw!)) {
      expect(t.status, JSON.stringify(t)).toBe("wrong_answer");
      expect(t.detail).toMatch(/^injection/);
    }
    // Its second query puts the raw input in a quoted literal: only the attack with a quote breaks out.
    expect(attacks(digitsThenRaw!).map((t) => t.status), JSON.stringify(digitsThenRaw!.tests)).toEqual(["pass", "pass", "pass", "wrong_answer", "pass"]);
    expect(attacks(digitsThenRaw!)[3]!.detail).toMatch(/^injection/);
  });
});
