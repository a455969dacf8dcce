/**
 * Metamorphic testing of the analyzers: rewrites of a Python program that keep its meaning
 * (docs/vuln/metamorphic.md), and the verdict that must not change under them.
 *
 *   TRANSFORMS[name](parsed, options) -> new source | null (does not apply)
 *   verdictOf(code, context) -> the reward's analyzers' findings by class
 */
import { aliasCallees } from "./alias.js";
import { swapBranches } from "./branches.js";
import { extractHelper } from "./extract.js";
import { fromToImport, importToFrom } from "./imports.js";
import { inlineHelper } from "./inline.js";
import { renameNeutral } from "./rename.js";
import { respellNames } from "./respell.js";
import { formatToFstring, fstringToFormat, fstringToPercent, percentToFstring } from "./strings.js";
import type { Transform } from "./types.js";

export type { Transform, TransformOptions } from "./types.js";
export { verdictOf, type VerdictContext } from "./verdict.js";

export const TRANSFORMS: Readonly<Record<string, Transform>> = {
  "rename-neutral": renameNeutral,
  "extract-helper": extractHelper,
  "inline-helper": inlineHelper,
  "import-to-from": importToFrom,
  "from-to-import": fromToImport,
  "fstring-to-format": fstringToFormat,
  "fstring-to-percent": fstringToPercent,
  "format-to-fstring": formatToFstring,
  "percent-to-fstring": percentToFstring,
  "swap-branches": swapBranches,
  "respell-names": respellNames,
  "alias-callees": aliasCallees,
};
