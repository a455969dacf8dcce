/**
 * Conditions and values crossing calls to the module's own helpers (calls.ts, dominance.ts): the
 * inner part the checks rely on to give the same verdict when code moves into a helper.
 */
import { describe, expect, it } from "vitest";
import { parsePython } from "../../../../src/analysis/python/index.js";
import { ofTypes } from "../../../../src/analysis/vuln/checks/ast.js";
import { calledFunction, helperResults } from "../../../../src/analysis/vuln/checks/calls.js";
import { guardsAt } from "../../../../src/analysis/vuln/checks/dominance.js";

const SOURCE = `
def reject(candidate):
    parts = candidate.split("/")
    if ".." in parts:
        raise ValueError(candidate)


def origin(r):
    token = r["headers"].get("X-Token")
    return token


def use(name, req):
    reject(name)
    t = origin(req)
    if not (t in ALLOWED):
        pass
    else:
        sink(name)


def sink(value):
    open(value)


def reject(candidate):
    return candidate
`;

function callNamed(root: ReturnType<typeof parsePython>["root"], name: string) {
  return ofTypes(root, ["call"]).find((c) => c.childForFieldName("function")?.text === name)!;
}

describe("calls across the module's helpers", () => {
  it("resolves only the last definition of a name, and no library call", () => {
    const { root } = parsePython(SOURCE);
    const target = calledFunction(callNamed(root, "reject"));
    expect(target?.text).toContain("return candidate");
    expect(calledFunction(callNamed(root, "open"))).toBeNull();
  });

  it("reads a helper's locals and parameters in the caller's terms", () => {
    const { root } = parsePython(SOURCE.replace(/\ndef reject\(candidate\):\n    return candidate\n/, "\n"));
    const sinkCall = callNamed(root, "sink");
    const texts = guardsAt(sinkCall).map((g) => `${g.holds ? "" : "not "}${g.condition.text}`);
    // The exit guard of reject(name), in the caller's names; the negation taken off the if.
    expect(texts).toContain(`not ".." in (name.split("/"))`);
    expect(texts).toContain("t in ALLOWED");
    // In the helper sink(), the guards at its only call site, in its own names.
    const openCall = callNamed(root, "open");
    expect(guardsAt(openCall).map((g) => g.condition.text)).toContain(`".." in (value.split("/"))`);
    // What origin(req) returns, computed from the argument.
    const results = helperResults(callNamed(root, "origin")).map((n) => n.text);
    expect(results).toContain(`req["headers"].get("X-Token")`);
  });
});
