#!/usr/bin/env node
// The `gatehouse` command's entry point, in plain JavaScript: the one file Node must read before the compile cache
// is on. A .ts entry would make Node load its TypeScript stripper (a WebAssembly module, ~14 MiB resident for the
// life of the process) just to read this file; with the cache on, every .ts module after it comes stripped and
// compiled from disk, and the stripper is never loaded (measured with bench/footprint: idle RSS 148 -> 134 MiB).
//
// The cache lives in NODE_COMPILE_CACHE, or the system's temporary folder; it saves ~0.2 s of a ~0.7 s import on a
// restart or in each `serve --workers` process. Its folder is handed on in NODE_COMPILE_CACHE: a worker thread (the
// password-hashing pool) or a child process reads it when it starts, and loads its modules from the cache too.
import module from 'node:module';

const cache = module.enableCompileCache?.();
if (cache?.directory) process.env.NODE_COMPILE_CACHE ??= cache.directory;
await import('./cli.ts');
