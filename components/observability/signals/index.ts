/** Golden signals per platform: what several share (shared.ts), and each platform's set. */
export * from "./eks";
export * from "./fargate";
export * from "./httpApi";
export * from "./lambda";
export * from "./shared";
