import { parentPort } from "node:worker_threads";
import type { ReadyMessage, SharedScanWork } from "./parallel.js";
import { scanClaimedBatches } from "./scanner.js";

// A scan worker: loads the parser and the rules while the main thread gets ready, then takes one
// scan's shared work, claims batches of files from its counter and posts each batch's outcomes.
// With its one listener gone, it ends when no batch is left.
parentPort?.once("message", (work: SharedScanWork) => {
  void scanClaimedBatches(work, (msg) => parentPort?.postMessage(msg));
});
// Past the imports the native parser is loaded; from here on a terminate is safe.
parentPort?.postMessage({ ready: true } satisfies ReadyMessage);
