import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "../helpers.js";

describe("bin/securecoderl.js entry choice", () => {
  // A stand-in package: the real bin over two fake entries that say which one ran.
  let pkg: string;
  const compiled = () => join(pkg, "dist", "cli", "main.js");
  const bundled = () => join(pkg, "dist", "bundle", "main.js");
  const fakeEntry = (name: string) => `export async function main(argv) { process.stdout.write(${JSON.stringify(name)} + " " + argv.slice(2).join(" ")); return 3; }\n`;
  // Without SECURECODERL_DIST (the suite's own build folder): the bin as a user starts it.
  const { SECURECODERL_DIST: _testDist, ...userEnv } = process.env;
  const run = (env: NodeJS.ProcessEnv = userEnv) => spawnSync(process.execPath, [join(pkg, "bin", "securecoderl.js"), "scan", "x.py"], { encoding: "utf8", env });
  const now = Date.now();
  const age = (file: string, secondsAgo: number) => {
    const t = new Date(now - secondsAgo * 1000);
    utimesSync(file, t, t);
  };

  beforeAll(() => {
    pkg = mkdtempSync(join(tmpdir(), "scrl-bin-"));
    mkdirSync(join(pkg, "bin"));
    copyFileSync(join(REPO_ROOT, "bin", "securecoderl.js"), join(pkg, "bin", "securecoderl.js"));
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ type: "module" }));
  });
  afterAll(() => rmSync(pkg, { recursive: true, force: true }));

  it("says how to build when neither entry exists (exit 2)", () => {
    const r = run();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("not built yet");
  });

  it("runs tsc's modules when there is no bundle", () => {
    mkdirSync(join(pkg, "dist", "cli"), { recursive: true });
    writeFileSync(compiled(), fakeEntry("compiled"));
    const r = run();
    expect(r.stdout).toBe("compiled scan x.py");
    expect(r.status).toBe(3);
  });

  it("prefers the bundle when it is at least as new as tsc's output, and falls back when it is older", () => {
    mkdirSync(join(pkg, "dist", "bundle"), { recursive: true });
    writeFileSync(bundled(), fakeEntry("bundled"));
    age(compiled(), 60);
    age(bundled(), 30);
    expect(run().stdout).toBe("bundled scan x.py");
    age(compiled(), 30);
    expect(run().stdout).toBe("bundled scan x.py"); // same time: an unpacked tarball
    age(bundled(), 60); // a tsc run after the bundle: the bundle is stale
    expect(run().stdout).toBe("compiled scan x.py");
  });

  it("runs the bundle alone when tsc's modules are gone", () => {
    rmSync(compiled());
    expect(run().stdout).toBe("bundled scan x.py");
  });

  it("runs the build in SECURECODERL_DIST instead of dist/ (the test suite's own build)", () => {
    mkdirSync(join(pkg, "other", "cli"), { recursive: true });
    writeFileSync(join(pkg, "other", "cli", "main.js"), fakeEntry("other"));
    expect(run({ ...userEnv, SECURECODERL_DIST: "other" }).stdout).toBe("other scan x.py");
    expect(run().stdout).toBe("bundled scan x.py");
  });
});

describe("the bundled CLI", () => {
  it("is built by the test setup into its own folder, with its scan worker, and is what the bin runs", () => {
    // .test-dist, not dist/: `npm test` leaves the build a user's running CLI loads alone.
    expect(process.env.SECURECODERL_DIST).toBe(".test-dist");
    expect(existsSync(join(REPO_ROOT, ".test-dist", "bundle", "main.js"))).toBe(true);
    expect(existsSync(join(REPO_ROOT, ".test-dist", "bundle", "worker.js"))).toBe(true);
    const r = runCli(["--version"], { env: { ...process.env, SECURECODERL_DEBUG: "1" } });
    expect(r.stderr).toContain(`running ${join(REPO_ROOT, ".test-dist", "bundle", "main.js")}`);
  });

  it("finds files relative to the package, not to the bundle: package.json for the version", () => {
    const version = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
    expect(runCli(["--version"]).stdout.trim()).toBe(version);
    const dir = mkdtempSync(join(tmpdir(), "scrl-bundle-"));
    try {
      writeFileSync(join(dir, "a.py"), "eval('1')\n");
      const sarif = JSON.parse(runCli(["scan", "-a", "rules", "-f", "sarif", "a.py"], { cwd: dir }).stdout) as { runs: { tool: { driver: { version: string } } }[] };
      expect(sarif.runs[0]!.tool.driver.version).toBe(version);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
