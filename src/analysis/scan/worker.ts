import { parentPort } from "node:worker_threads";
import type { SharedScanWork } from "./parallel.js";
import { scanClaimedBatches } from "./scanner.js";

// A scan worker: loads the parser and the rules while the main thread gets ready, then takes one
// scan's shared work, claims batches of files from its counter and posts each batch's outcomes.
// With its one listener gone, it ends when no batch is left.
parentPort?.once("message", (work: SharedScanWork) => {
  void scanClaimedBatches(work, (msg) => parentPort?.postMessage(msg));
});
