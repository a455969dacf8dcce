/**
 * Differential test against Debian's Bandit 1.6.2 (the only Bandit we can install here), over every
 * rule fixture. 1.6.2 predates Bandit 1.9 in ways that matter, so only the test ids that 1.6.2 still
 * performs the way 1.9 does under Python 3.11 are compared; docs/rules.md lists every excluded id
 * with its reason. Both tools run with nosec ignored: 1.6.2 knows neither `# nosec B123` nor
 * nosec over a multi-line node's range.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { scanPaths } from "../../src/analysis/scan/index.js";
import { REPO_ROOT } from "../helpers.js";

const BANDIT = "/usr/bin/bandit";

/** Ids where Bandit 1.6.2 matches Bandit 1.9 semantics (determined by running both, see docs/rules.md). */
export const COMPARED_IDS = [
  "B101", "B102", "B106", "B107", "B110", "B112", "B201",
  "B302", "B305", "B306", "B307", "B308", "B310", "B312",
  "B313", "B314", "B315", "B316", "B317", "B318", "B319", "B323",
  "B401", "B402", "B404", "B405", "B407", "B408", "B409", "B412", "B413",
  "B504", "B505", "B601", "B604", "B606", "B609", "B610", "B702",
];

/**
 * B105/B107 judge a function's locals by where their values go by default (docs/rules.md,
 * "Hard-coded passwords"); Bandit judges them by name. The comparison runs ours in Bandit's mode,
 * so B107 is still compared line for line (its default mode is tested by its fixtures).
 */
const BANDIT_NAME_MATCHES = {
  hardcoded_password_string: { bandit_name_matches: true },
  hardcoded_password_default: { bandit_name_matches: true },
};

function fixtureFiles(): string[] {
  const root = join(REPO_ROOT, "test", "analysis", "rules");
  const out: string[] = [];
  for (const family of readdirSync(root)) {
    const dir = join(root, family, "fixtures");
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (f.endsWith(".py")) out.push(relative(REPO_ROOT, join(dir, f)));
  }
  return out.sort();
}

interface Row {
  filename: string;
  test_id: string;
  line_number: number;
  issue_severity: string;
  issue_confidence: string;
}

const key = (r: Row) => `${r.filename}:${r.line_number} ${r.test_id} ${r.issue_severity}/${r.issue_confidence}`;

describe.skipIf(!existsSync(BANDIT))("differential: securecoderl vs Bandit 1.6.2", () => {
  it("agrees with Bandit on every compared test id over all rule fixtures", async () => {
    const files = fixtureFiles();
    expect(files.length).toBeGreaterThan(10);
    const bandit = spawnSync(BANDIT, ["-f", "json", "-q", "--ignore-nosec", ...files], { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    expect(bandit.error).toBeUndefined();
    const theirs = JSON.parse(bandit.stdout) as { results: Row[]; errors: unknown[] };
    expect(theirs.errors).toEqual([]);
    const prev = process.cwd();
    process.chdir(REPO_ROOT);
    let ours;
    try {
      ours = await scanPaths(files, { ignoreNosec: true, ruleOptions: BANDIT_NAME_MATCHES });
    } finally {
      process.chdir(prev);
    }
    expect(ours.errors).toEqual([]);
    const compared = new Set(COMPARED_IDS);
    // A fixture line marked `# beyond-bandit` is a form Bandit misses on purpose of ours (a callee
    // reached through the builtins module or a namespace lookup, docs/rules.md); its `# expect`
    // marks hold it to our verdict instead.
    const beyond = new Set(files.flatMap((f) => readFileSync(join(REPO_ROOT, f), "utf8").split("\n").flatMap((line, i) => (line.includes("# beyond-bandit") ? [`${f}:${i + 1}`] : []))));
    const pick = (rows: readonly Row[]) =>
      rows
        .filter((r) => compared.has(r.test_id) && !beyond.has(`${r.filename}:${r.line_number}`))
        .map(key)
        .sort();
    const expected = pick(theirs.results);
    // Every compared id must actually be exercised, or the comparison proves nothing for it.
    for (const id of COMPARED_IDS) expect(expected.some((k) => k.includes(` ${id} `)), `${id} has no fixture hit`).toBe(true);
    expect(pick(ours.results)).toEqual(expected);
  });
});

if (!existsSync(BANDIT)) process.stderr.write(`SKIP: ${BANDIT} not installed; the differential test against Bandit is skipped\n`);
