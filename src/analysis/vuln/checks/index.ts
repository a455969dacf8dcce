/**
 * CWE-specific (non-taint) checks of the vulnerability detector. Each check is one module that
 * reads the shared parse tree and returns Bandit-shaped findings with `analyzer: "vuln"` and a
 * `VULN-CWE-<id>` test id. `runChecks` is what the detector (`src/analysis/vuln/index.ts`) calls.
 */
import type { Finding } from "../../finding.js";
import type { ParsedModule } from "../../python/index.js";
import { makeInput, type Check, type CheckContext, type CheckModule } from "./types.js";
import { checkAuthorization } from "./authorization.js";
import { checkCookies } from "./cookies.js";
import { checkCsrf } from "./csrf.js";
import { checkInsecureRandom } from "./insecure-random.js";
import { checkMassAssignment } from "./mass-assignment.js";
import { checkRedos } from "./redos.js";
import { checkResourceGrowth } from "./resource-growth.js";
import { checkSensitiveExposure } from "./sensitive-exposure.js";
import { checkSignature } from "./signature.js";
import { checkUrlSchemeFilter } from "./url-scheme-filter.js";
import { checkTlsValidation } from "./tls-validation.js";
import { checkWeakCrypto } from "./weak-crypto.js";
import { checkXxe } from "./xxe.js";
import { checkPermissions } from "./permissions.js";
import { checkToctou } from "./toctou.js";
import { checkResourceConsumption } from "./resource-consumption.js";
import { checkCanonicalization } from "./canonicalization.js";

export type { CheckContext, CheckModule } from "./types.js";
export { SECURE_HASHES } from "./weak-crypto.js";

/** Every check with the CWE ids it reports, in report order. */
export const CHECKS: ReadonlyArray<{ id: string; cwes: number[]; run: Check }> = [
  { id: "weak-crypto", cwes: [327, 328, 326], run: checkWeakCrypto },
  { id: "sensitive-exposure", cwes: [200, 209, 532], run: checkSensitiveExposure },
  { id: "signature", cwes: [347], run: checkSignature },
  { id: "csrf", cwes: [352], run: checkCsrf },
  { id: "authorization", cwes: [862, 863], run: checkAuthorization },
  { id: "resource-growth", cwes: [770], run: checkResourceGrowth },
  { id: "mass-assignment", cwes: [915], run: checkMassAssignment },
  { id: "redos", cwes: [1333], run: checkRedos },
  { id: "insecure-random", cwes: [330, 338], run: checkInsecureRandom },
  { id: "cookies", cwes: [614, 1004], run: checkCookies },
  { id: "url-scheme-filter", cwes: [74, 79, 184], run: checkUrlSchemeFilter },
  { id: "tls-validation", cwes: [295], run: checkTlsValidation },
  { id: "xxe", cwes: [611], run: checkXxe },
  { id: "permissions", cwes: [732], run: checkPermissions },
  { id: "toctou", cwes: [367], run: checkToctou },
  { id: "resource-consumption", cwes: [400], run: checkResourceConsumption },
  { id: "canonicalization", cwes: [179, 180], run: checkCanonicalization },
];

/**
 * Run every check over one parsed module. A check that throws on odd input is skipped for that
 * module (the others still report): bad input must never sink the whole scan.
 */
export function runChecks(module: ParsedModule | CheckModule, context: CheckContext = {}): Finding[] {
  const input = makeInput(module, context);
  const out: Finding[] = [];
  for (const check of CHECKS) {
    try {
      out.push(...check.run(input));
    } catch (err) {
      if (process.env.SECURECODERL_DEBUG) process.stderr.write(`vuln check ${check.id} failed: ${String(err)}\n`);
    }
  }
  return out;
}
