import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers.js";

/**
 * A SafeSQL attack test passes only where the program did the query work: "the payload did not
 * change the query" is no evidence for a program that never put its input into a query. Through
 * `securecoderl verify` on a small task: a program that never queries (or queries a constant)
 * fails every attack test, while a parameterized program, and one that validates its input before
 * querying (here the attack and its benign counterpart are both rejected, so neither queries) but
 * queries its functional inputs, pass them.
 */
const CONSTRUCT_DB = [
  "import sqlite3",
  "conn = sqlite3.connect('shop.db')",
  "conn.execute('CREATE TABLE items (id INTEGER, name TEXT, owner TEXT)')",
  "conn.executemany('INSERT INTO items VALUES (?, ?, ?)', [(1, 'lamp', 'ann'), (2, 'desk', 'bob'), (3, 'sofa', 'ann')])",
  "conn.commit()",
  "",
].join("\n");

const PARAMETERIZED = [
  "import sqlite3",
  "conn = sqlite3.connect('shop.db')",
  "owner = input()",
  "for r in conn.execute('SELECT id, name FROM items WHERE owner = ?', (owner,)):",
  "    print(r)",
  "",
].join("\n");

const VALIDATING = [
  "import re, sqlite3",
  "owner = input()",
  "if not re.fullmatch(r'[a-z]{1,8}', owner):",
  "    print('invalid owner')",
  "    raise SystemExit(0)",
  "conn = sqlite3.connect('shop.db')",
  "for r in conn.execute('SELECT id, name FROM items WHERE owner = ?', (owner,)):",
  "    print(r)",
  "",
].join("\n");

const NEVER_QUERIES = ["import sys", "sys.stdin.read()", "print('no matching records')", ""].join("\n");

const CONSTANT_QUERY = [
  "import sqlite3, sys",
  "sys.stdin.read()",
  "conn = sqlite3.connect('shop.db')",
  "print(conn.execute('SELECT COUNT(*) FROM items').fetchone()[0])",
  "",
].join("\n");

const task = {
  program_id: "shop",
  construct_db: CONSTRUCT_DB,
  execute_sql: PARAMETERIZED,
  task_description: "Read an owner's name and print the id and name of each of their items.",
  test_cases: [
    { input: "ann\n", output: "(1, 'lamp')\n(3, 'sofa')\n", success: true },
    { input: "bob\n", output: "(2, 'desk')\n", success: true },
  ],
  test_attacks: ["' OR '1'='1\n", "x' UNION SELECT id, owner FROM items --\n"],
};

interface Result { tests: { kind: string; status: string; detail?: string }[] }

describe("SafeSQL attack tests need evidence of query work", () => {
  it("fails attacks for programs that never put their input into a query; keeps them for ones that do", () => {
    const work = mkdtempSync(join(tmpdir(), "scrl-safesql-evidence-"));
    const tasks = join(work, "tasks.jsonl");
    writeFileSync(tasks, JSON.stringify(task) + "\n");
    const rows = [PARAMETERIZED, VALIDATING, NEVER_QUERIES, CONSTANT_QUERY];
    const samples = join(work, "samples.jsonl");
    writeFileSync(samples, rows.map((completion) => JSON.stringify({ task_id: "shop", completion })).join("\n") + "\n");
    const out = join(work, "results.jsonl");
    const r = runCli(["verify", "--tasks", tasks, "--dataset", "safesql", "--samples", samples, "--out", out, "--jobs", "2", "--timeout", "3"]);
    expect(r.status, r.stderr).toBe(0);
    const [parameterized, validating, never, constant] = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Result);
    const attacks = (x: Result) => x.tests.filter((t) => t.kind === "attack");
    expect(attacks(parameterized!).map((t) => t.status)).toEqual(["pass", "pass"]);
    expect(attacks(validating!).map((t) => t.status), JSON.stringify(validating!.tests)).toEqual(["pass", "pass"]);
    for (const res of [never!, constant!]) {
      for (const t of attacks(res)) {
        expect(t.status).toBe("wrong_answer");
        expect(t.detail).toContain("no evidence");
      }
    }
  });
});
