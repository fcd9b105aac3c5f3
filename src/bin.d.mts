// src/bin.mjs (plain JavaScript, the entry point) exports nothing: this says so to TypeScript, for src/bin.ts.
export {};
