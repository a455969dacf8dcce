import { describe, expect, it } from "vitest";
import { decodePythonSource } from "../../../src/analysis/scan/decode.js";

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));

describe("decodePythonSource (PEP 263 as CPython reads files)", () => {
  it("reads UTF-8 by default, with or without a BOM", () => {
    expect(decodePythonSource(bytes("s = 'héllo'\n"))).toEqual({ ok: true, text: "s = 'héllo'\n" });
    expect(decodePythonSource(bytes([0xef, 0xbb, 0xbf], "x = 1\n"))).toEqual({ ok: true, text: "x = 1\n" });
  });

  it("honours a coding cookie on line 1 or 2, not after code", () => {
    expect(decodePythonSource(bytes("# -*- coding: latin-1 -*-\ns = '", [0xe9], "'\n"))).toEqual({ ok: true, text: "# -*- coding: latin-1 -*-\ns = 'é'\n" });
    expect(decodePythonSource(bytes("#!/usr/bin/env python\n# vim: set fileencoding=iso-8859-1 :\ns = '", [0xe9], "'\n"))).toMatchObject({ ok: true });
    expect(decodePythonSource(bytes("x = 1\n# coding: latin-1\ns = '", [0xe9], "'\n"))).toEqual({ ok: false, reason: "source is not valid utf-8" });
  });

  it("rejects invalid UTF-8, NUL bytes, unknown encodings and a BOM with another cookie", () => {
    expect(decodePythonSource(bytes("s = '", [0xff, 0xfe], "'\n"))).toEqual({ ok: false, reason: "source is not valid utf-8" });
    expect(decodePythonSource(bytes("x = 1", [0], "\n"))).toEqual({ ok: false, reason: "source code cannot contain null bytes" });
    expect(decodePythonSource(bytes("# coding: klingon\nx = 1\n"))).toEqual({ ok: false, reason: "unknown encoding: klingon" });
    expect(decodePythonSource(bytes([0xef, 0xbb, 0xbf], "# coding: latin-1\nx = 1\n"))).toEqual({ ok: false, reason: "encoding problem: latin1 with BOM" });
  });

  it("decodes a slice of a larger buffer without reading outside it", () => {
    const whole = bytes("JUNK", "x = 'ü'\n", "MORE");
    expect(decodePythonSource(whole.subarray(4, whole.length - 4))).toEqual({ ok: true, text: "x = 'ü'\n" });
  });
});
