// How a bench script runs: Ctrl-C or SIGTERM exits (the 'exit' handler of server.ts kills the servers it started),
// a server that did not start is one line, anything else prints its stack (and cause); the exit code is main's.
import { ServerStartError } from './server.ts';

export function runBench(name: string, main: () => Promise<number>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  main().then((code) => { process.exitCode = code; }, (err: unknown) => {
    if (err instanceof ServerStartError) process.stderr.write(`${name}: ${err.message}\n`);
    else process.stderr.write(`${name}: ${(err as Error)?.stack ?? String(err)}${(err as Error)?.cause ? `\ncause: ${String((err as Error).cause)}` : ''}\n`);
    process.exitCode = 1;
  });
}
