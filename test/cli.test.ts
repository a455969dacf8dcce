import { describe, expect, it } from "vitest";
import { runCli } from "./helpers.js";

describe("securecoderl CLI", () => {
  it("lists every command in --help", () => {
    const r = runCli(["--help"]);
    expect(r.status).toBe(0);
    for (const cmd of ["run", "verify", "scan", "bench", "compare", "doctor", "serve"]) expect(r.stdout).toContain(cmd);
  });

  it("exits 2 on an unknown command", () => {
    const r = runCli(["no-such-command"]);
    expect(r.status).toBe(2);
  });
});
