// bench/results/latest.md: the same report as the console's, as markdown tables with the machine description.
import { machineParagraph, markdownTable } from '../lib/markdown.ts';
import { argon2Lines, type Report } from './report.ts';

const pct = (x: number | undefined) => (x === undefined ? '-' : `${x}%`);

export function reportMarkdown(r: Report, when: string): string {
  const out = [
    '# Gatehouse core benchmark (`npm run bench`)',
    '',
    `Measured ${when}. ${machineParagraph(r.machine)}`,
    '',
    `Server: \`gatehouse serve\` on SQLite, argon2id ${r.settings.argon2}, ${r.settings.hashWorkers} hash threads. `
      + `Load: autocannon in its own process on 127.0.0.1, ${r.settings.warmup} s warm-up + ${r.settings.duration} s per load.`,
    '',
    markdownTable(
      ['Scenario', 'conn', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'errors + non-2xx', 'server CPU', 'loadgen CPU', 'other CPU'],
      r.scenarios.map(({ label, load: l }) => [
        label, l.connections, l.rps.toFixed(1), l.latency.p50, l.latency.p99, l.latency.max, l.errors + l.timeouts + l.non2xx,
        pct(l.cpu.server), pct(l.cpu.load), pct(l.cpu.other),
      ]),
    ),
    '',
    ...argon2Lines(r.argon2Shares, '- '),
    '',
    markdownTable(['Bar', 'Target', 'Measured', 'Result'], r.bars.map((b) => [b.name, b.target, b.measured, b.pass ? 'PASS' : 'FAIL'])),
  ];
  return out.join('\n');
}
