import { parentPort, workerData } from "node:worker_threads";
import type { SharedScanWork } from "./scanner.js";
import { scanClaimedBatches } from "./scanner.js";

// A scan worker: claims batches of files from the shared counter and posts each batch's outcomes;
// it ends when no batch is left.
await scanClaimedBatches(workerData as SharedScanWork, (msg) => parentPort?.postMessage(msg));
