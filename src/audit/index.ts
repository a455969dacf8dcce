/** Public face of src/audit: a battery of reward hacks judged against an honest wrong answer. */
export { runAudit, type AuditReport, type AuditRow, type AuditOptions } from "./run.js";
export { renderAudit } from "./render.js";
export { HACKS, honestWrong, type Hack } from "./hacks.js";
export { taskShape, type TaskShape } from "./shape.js";
