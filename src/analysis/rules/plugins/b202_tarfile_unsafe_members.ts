import { unparenthesize } from "../../python/index.js";
import type { Rule } from "../types.js";
import { importsModule, resolvedCallName } from "./util/imports.js";
import { banditCall, nameId, strConstant } from "./util/bandit.js";
import { mentionsAny } from "./util/triggers.js";

/** B202: `TarFile.extractall` without a trusted member filter (path traversal). */
export const b202TarfileUnsafeMembers: Rule = {
  id: "B202",
  name: "tarfile_unsafe_members",
  cwe: 22,
  severity: "HIGH",
  description: "tarfile extractall() without validating members; severity depends on the members= argument.",
  nodeTypes: ["call"],
  appliesTo: (source) => mentionsAny(source, ["extractall"]),
  check(node, ctx) {
    if (!importsModule(ctx.module, node, "tarfile")) return null;
    const call = banditCall(node, ctx);
    if (!call.name.includes("extractall")) return null;
    const src = ctx.module.source;
    const filter = call.keyword("filter");
    if (filter && strConstant(filter, src) === "data") return null;
    const members = call.keyword("members");
    if (members) {
      const m = unparenthesize(members);
      if (m.type === "call") {
        // Bandit reads `members.func.id`; a dotted callee raises inside the plugin and reports nothing.
        const fn = m.childForFieldName("function");
        const id = fn ? nameId(fn, src) : null;
        if (id === null) return null;
        return {
          severity: "LOW",
          confidence: "LOW",
          message: `extractall() takes its members from ${id}(); make sure that function drops unsafe entries.`,
        };
      }
      return {
        severity: "MEDIUM",
        confidence: "MEDIUM",
        message: "extractall() gets members= of a kind that cannot be checked statically; verify they are validated.",
      };
    }
    return {
      severity: "HIGH",
      confidence: "HIGH",
      message: "extractall() extracts every archive member without validation; entries can escape the target directory.",
    };
  },
};
