import { parentPort } from "node:worker_threads";
import type { ReadyMessage, WorkerScanWork } from "./parallel.js";
import { scanClaimedBatches } from "./scanner.js";

// A scan worker: loads the parser and the rules while the main thread gets ready, then takes one
// scan's shared work, claims batches of files from its counter and posts each batch's outcomes to
// the port it was given. With its one listener gone, it ends when no batch is left.
parentPort?.once("message", (work: WorkerScanWork) => {
  void scanClaimedBatches(work, (msg) => work.results.postMessage(msg));
});
// Past the imports the native parser is loaded; from here on a terminate is safe.
parentPort?.postMessage({ ready: true } satisfies ReadyMessage);
