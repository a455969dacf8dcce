import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadAnalyzers, scanSource } from "../../../src/analysis/scan/index.js";
import type { Finding } from "../../../src/analysis/finding.js";

// Python names are arbitrary strings to the analyzers; a JavaScript object used as a table keyed
// by them answers `constructor`, `toString` or `__proto__` from Object.prototype (B505 took
// `constructor(...)` for a key-generation function and threw, losing every finding of the file).
// Metamorphic check: a program that uses every Object.prototype key as an identifier, attribute,
// call, import, keyword, parameter, class, decorator and dict key must give exactly the findings
// of the same program with each key renamed to a neutral name of the same length.

const KEYS = Object.getOwnPropertyNames(Object.prototype).filter((k) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k));

function usesOf(k: string): string {
  return [
    `import ${k}`,
    `import os.${k}`,
    `import ${k} as ${k}_alias`,
    `from ${k} import ${k}`,
    `from os import ${k} as ${k}_f`,
    `from cryptography.hazmat.primitives.asymmetric import ${k} as keys_${k}`,
    `${k}(1)`,
    `${k}.${k}(2)`,
    `os.${k}("ls")`,
    `subprocess.${k}("ls", shell=True)`,
    `keys_${k}.generate_private_key(512)`,
    `value_${k} = x.${k}`,
    `@${k}`,
    `def ${k}(${k}=1, *${k}_rest, **${k}_kw):`,
    `    return ${k}(${k}, ${k}=${k})`,
    `class ${k}(${k}):`,
    `    ${k} = "${k}"`,
    `    password_${k} = "${k}"`,
    `table_${k} = {"${k}": ${k}, ${k}: "${k}"}`,
    `getattr(obj, "${k}")`,
    `requests.get(url, ${k}=${k}, verify=False)`,
    `ec.generate_private_key(ec.${k}())`,
    `eval(${k})`,
    "",
  ].join("\n");
}

/** Every rule's fixtures as comments: each rule's text prefilter then lets the rule run. */
function gateOpeners(): string {
  const root = join(import.meta.dirname, "..", "rules");
  const lines: string[] = [];
  for (const family of readdirSync(root)) {
    let files: string[];
    try {
      files = readdirSync(join(root, family, "fixtures"));
    } catch {
      continue;
    }
    for (const f of files) if (f.endsWith(".py")) for (const l of readFileSync(join(root, family, "fixtures", f), "utf8").split("\n")) lines.push(`# ${l}`);
  }
  return lines.join("\n") + "\n";
}

const neutral = (k: string) => `q${k.slice(1)}`;
/** Uses before any import binds the key, so the qualified name of a call is the bare key itself. */
const unbound = (k: string) => `${k}(0)\n${k}.${k}(0)\nbare_${k} = ${k}[0]\n${k}.${k} = ${k}\n`;
const PROGRAM = `${KEYS.map(unbound).join("")}import os\nimport subprocess\nimport requests\nfrom cryptography.hazmat.primitives.asymmetric import ec\n${KEYS.map(usesOf).join("")}${gateOpeners()}`;
const RENAMED = KEYS.reduce((text, k) => text.replace(new RegExp(`(?<![A-Za-z0-9_])${k.replace(/\$/g, "\\$")}`, "g"), neutral(k)), PROGRAM);
const shape = (fs: Finding[]) => fs.map((f) => `${f.test_id} ${f.line_number}:${f.col_offset}`).sort();

describe("Python names that are Object.prototype keys", () => {
  beforeAll(async () => {
    await loadAnalyzers(["rules", "vuln"]);
  });

  it("the program uses every key and still differs from its renamed twin only in those names", () => {
    expect(KEYS).toEqual(expect.arrayContaining(["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"]));
    expect(RENAMED.length).toBe(PROGRAM.length);
    for (const k of KEYS) expect(RENAMED).not.toMatch(new RegExp(`(?<![A-Za-z0-9_])${k}(?![A-Za-z0-9_])`));
  });

  for (const analyzer of ["rules", "vuln"] as const) {
    it(`${analyzer}: no analysis error, and the same findings as with neutral names`, () => {
      const got = scanSource(PROGRAM, { analyzers: [analyzer], filename: "keys.py" });
      const want = scanSource(RENAMED, { analyzers: [analyzer], filename: "keys.py" });
      expect(want.errors).toEqual([]);
      expect(got.errors).toEqual([]);
      expect(shape(got.findings)).toEqual(shape(want.findings));
      // The program exercises the rules it should: the renamed twin is no empty comparison.
      if (analyzer === "rules") expect(new Set(want.findings.map((f) => f.test_id))).toEqual(expect.objectContaining({ size: expect.any(Number) }));
    });
  }

  it("B505 still judges the key sizes around calls named constructor(...) and toString(...)", () => {
    const code = "from cryptography.hazmat.primitives.asymmetric import rsa\nconstructor(1)\ntoString(2)\nrsa.generate_private_key(65537, 512)\n";
    const out = scanSource(code, { analyzers: ["rules"] });
    expect(out.errors).toEqual([]);
    expect(out.findings.map((f) => f.test_id)).toContain("B505");
  });
});
