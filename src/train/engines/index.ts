/** Run folders for external training engines (verl, OpenRLHF, TRL, plain Hugging Face). */
export * from "./flags.js";
export * from "./config.js";
export * from "./data.js";
export * from "./folder.js";
export * from "./checks.js";
