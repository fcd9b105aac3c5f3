import { createInterface } from 'node:readline';

/**
 * Reads a password: from a terminal with echo off (twice when `confirm`), or the first line of standard
 * input when it is not a terminal (`echo "$PW" | gatehouse create-superuser --email …`).
 */
export async function readPassword(o: { prompt: string; confirm: boolean; fromStdin: boolean }): Promise<string> {
  if (o.fromStdin || !process.stdin.isTTY) {
    const line = await firstLine();
    if (!line) throw new Error('no password on standard input');
    return line;
  }
  const first = await ask(o.prompt);
  if (o.confirm && (await ask('Again: ')) !== first) throw new Error('the two passwords differ');
  return first;
}

async function firstLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin, terminal: false });
  for await (const line of rl) {
    rl.close();
    return line.replace(/\r$/, '');
  }
  return '';
}

function ask(prompt: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const write = (rl as unknown as { _writeToOutput: (s: string) => void });
    rl.question(prompt, (answer) => { rl.close(); process.stdout.write('\n'); resolve(answer); });
    write._writeToOutput = () => {}; // echo off while typing
  });
}
