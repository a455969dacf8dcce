import type { Rule } from "../types.js";
import { importedLike } from "./util/imports.js";
import { banditCall, isConstant } from "./util/bandit.js";
import { callsOneOf } from "./util/triggers.js";

// Keyed by the called name: a Map, so `constructor(...)` is no entry (Object.prototype).
const UNSAFE_FUNCTIONS = new Map<string, string>([
  ["from_pretrained", "transformers"],
  ["load_dataset", "datasets"],
  ["hf_hub_download", "huggingface_hub"],
  ["snapshot_download", "huggingface_hub"],
  ["repository_id", "huggingface_hub"],
]);
const HF_MODULES = ["transformers", "datasets", "huggingface_hub"];

/** B615: Hugging Face Hub downloads not pinned to a commit hash. */
export const b615HuggingfaceUnsafeDownload: Rule = {
  id: "B615",
  name: "huggingface_unsafe_download",
  cwe: 494,
  severity: "MEDIUM",
  description: "A Hugging Face Hub model/dataset/file is downloaded without pinning revision= to a commit hash.",
  nodeTypes: ["call"],
  appliesTo: callsOneOf([...UNSAFE_FUNCTIONS.keys()]),
  check(node, ctx) {
    if (!HF_MODULES.some((m) => importedLike(ctx.module, node, m))) return null;
    const call = banditCall(node, ctx);
    const module = UNSAFE_FUNCTIONS.get(call.name);
    if (!module || !call.qualname.split(".").includes(module)) return null;
    // A revision given by a variable or expression is trusted to be pinned.
    if (call.keywords.some((k) => (k.arg === "revision" || k.arg === "commit_id") && !isConstant(k.value, ctx.module.source))) return null;
    const revision = pyOrValue(call.keywordValue("revision"), call.keywordValue("commit_id"));
    if (typeof revision === "string") {
      const r = revision.replace(/^["']+|["']+$/g, "");
      if (r.length >= 7 && /^[0-9a-fA-F]+$/.test(r)) return null;
    }
    const first = call.argAt(0);
    if (typeof first === "string" && first !== "" && (first.startsWith("./") || first.startsWith("/") || first.startsWith("../"))) return null;
    return {
      severity: "MEDIUM",
      confidence: "HIGH",
      message: `${call.name}() downloads from the Hugging Face Hub without pinning a commit; the content can change under you.`,
    };
  },
};

function pyOrValue<T>(a: T | null | undefined, b: T | null | undefined): T | null | undefined {
  return a !== null && a !== undefined && a !== ("" as unknown as T) && a !== (0 as unknown as T) ? a : b;
}
