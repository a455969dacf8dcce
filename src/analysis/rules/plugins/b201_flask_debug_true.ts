import type { Rule } from "../types.js";
import { importedLike } from "./util/imports.js";
import { banditCall } from "./util/bandit.js";
import { mentionsAny } from "./util/triggers.js";

/** B201: `app.run(debug=True)` in a module that imports flask. */
export const b201FlaskDebugTrue: Rule = {
  id: "B201",
  name: "flask_debug_true",
  cwe: 94,
  severity: "HIGH",
  description: "A Flask application is started with debug=True, exposing the interactive debugger.",
  nodeTypes: ["call"],
  appliesTo: (source) => source.includes("debug") && mentionsAny(source, ["run"]),
  check(node, ctx) {
    if (!importedLike(ctx.module, node, "flask")) return null;
    const call = banditCall(node, ctx);
    if (!call.qualname.endsWith(".run") || !call.checkKeyword("debug", "True")) return null;
    return {
      severity: "HIGH",
      confidence: "MEDIUM",
      message: "The Flask app runs with debug=True: the Werkzeug debugger lets anyone who reaches it run code.",
      lineNumber: call.keywordLine("debug"),
    };
  },
};
