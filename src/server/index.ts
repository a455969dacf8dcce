/** Public face of src/server: `securecoderl serve`, the HTTP reward service (docs/serving.md). */
export { runServe, type ServeRun } from "./cluster.js";
export { startServer, serverVersion, type RunningServer } from "./server.js";
export { SERVE_DEFAULTS, type ServeOptions } from "./options.js";
export { TaskStores, type StoreInfo, type Resolved } from "./tasks.js";
export { responseOf, EXTRA_LOGS } from "./openrlhf.js";
export { toRunCodeResponse, type RunCodeResponse } from "./run-code.js";
export { Admission, DeadlineExceeded } from "./admission.js";
