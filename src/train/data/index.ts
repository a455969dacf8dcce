/** SFT data: selection, split and writers (the SecureCodeRL paper's table 4.4). */
export * from "./select.js";
export * from "./write.js";
