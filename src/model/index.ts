export * from "./tokenizer.js";
export * from "./sampling.js";
export { seededRandom } from "./random.js";
