#!/usr/bin/env node
// `node src/bin.ts …` still works (scripts, services and tests that name it): it runs the entry point, src/bin.mjs,
// which `npm start` and the `gatehouse` command use. Started this way, Node loads its TypeScript stripper for this
// one file (~14 MiB more resident memory); start src/bin.mjs instead where memory counts.
await import('./bin.mjs');
