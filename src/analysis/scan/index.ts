/** `securecoderl scan` as a library: scan sources or paths with the registered analyzers. */
export { scanSource, SYNTAX_ERROR_REASON, EXCEPTION_REASON } from "./scanner.js";
export type { ScanOptions, ScanReport, ScanError } from "./scanner.js";
export { scanPaths, autoJobs, FILES_PER_THREAD } from "./paths.js";
export type { ScanPathsOptions } from "./paths.js";
export { registerAnalyzer, loadAnalyzers, createAnalyzers, parseAnalyzerList, DEFAULT_ANALYZERS, KNOWN_ANALYZERS, AnalyzerUnavailableError } from "./analyzers.js";
export type { Analyzer, AnalyzerContext, AnalyzerFactory } from "./analyzers.js";
export { listPythonFiles, DEFAULT_EXCLUDE_DIRS } from "./files.js";
export { decodePythonSource } from "./decode.js";
export { resolveConfig, loadConfigFile, ConfigError } from "./config.js";
export type { ScanConfig } from "./config.js";
export type { FileMetrics } from "./metrics.js";
export { formatJson } from "./format/json.js";
export { formatSarif } from "./format/sarif.js";
export { formatText } from "./format/text.js";
