import { parentPort } from "node:worker_threads";
import { runAnalysis } from "./analysis-run.js";
import type { AnalysisRequest } from "./analysis-types.js";

// An analysis worker thread: loads the parser, the rules and the detector, says it is ready, then
// answers one request at a time. The pool enforces the time and memory budgets from outside (it
// terminates and replaces a worker that overruns), so nothing here needs to watch the clock.

/** What the pool posts: one sample's analysis. */
export interface AnalysisJobMessage {
  id: number;
  request: AnalysisRequest;
}

parentPort?.on("message", (msg: AnalysisJobMessage) => {
  parentPort?.postMessage({ id: msg.id, outcome: runAnalysis(msg.request) });
});
// Past the imports the native parser is loaded: from here on a terminate is safe.
parentPort?.postMessage({ ready: true });
