// Markdown for bench/results/*.md: a GitHub table from rows, and the paragraph saying what machine measured it.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Machine } from './machine.ts';

export type Cell = string | number | undefined;

const cell = (c: Cell): string => (c === undefined ? '-' : String(c)).replaceAll('|', '\\|').replaceAll('\n', ' ');
const isNumeric = (c: Cell): boolean => typeof c === 'number' || (typeof c === 'string' && /^[-+\d.,%×x/ ]+$/.test(c) && /\d/.test(c));

/** A GitHub table; a column whose every cell is a number (or undefined) is right-aligned. */
export function markdownTable(head: string[], rows: Cell[][]): string {
  const right = head.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === undefined || isNumeric(r[i])));
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(head.map(cell)),
    line(right.map((r) => (r ? '---:' : '---'))),
    ...rows.map((r) => line(head.map((_, i) => cell(r[i])))),
  ].join('\n');
}

/** One paragraph: CPU, cores, memory, Node, OS, and how busy the machine was before the start. */
export function machineParagraph(m: Machine): string {
  const busy = m.busyBeforeStart === undefined ? '' : `, ${m.busyBeforeStart}% of a core busy`;
  return `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM; Node ${m.node}; ${m.os}. `
    + `Before the start: load average ${m.loadAverage}${busy} (other programs: numbers on a busy machine are low).`;
}

/** Writes a markdown file whole (a temporary file renamed over it), creating its folder. */
export function writeMarkdown(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text.endsWith('\n') ? text : `${text}\n`);
  renameSync(tmp, file);
}
