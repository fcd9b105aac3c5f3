/** Where progress goes: a terminal gets one bar redrawn in place; anything else (a log, a pipe) plain lines. */
export interface ProgressOut { isTTY?: boolean; columns?: number; write(s: string): unknown }

/** Plain lines at most this often, and at every tenth of the way. */
const LINE_EVERY_MS = 5000;
const BAR = 30;

/**
 * A progress bar for one pass over `total` users: `label [#####.....] 45% 450,000/1,000,000  12,345/s  ETA 40s`.
 * On a terminal it is redrawn in place (at most ten times a second); otherwise a line is written every tenth of the
 * way and at least every five seconds, so a log shows the import advancing without one line per batch.
 */
export class Progress {
  private readonly out: ProgressOut;
  private readonly label: string;
  private readonly total: number;
  private readonly started = Date.now();
  private done = 0;
  private lastDraw = this.started;
  private lastTenth = 0;

  constructor(out: ProgressOut, label: string, total: number) {
    this.out = out;
    this.label = label;
    this.total = total;
  }

  add(n: number): void {
    this.done += n;
    const now = Date.now();
    if (this.out.isTTY) {
      if (now - this.lastDraw < 100 && this.done < this.total) return;
      this.lastDraw = now;
      this.out.write(`\r${this.line(now)}\u001b[K`);
      return;
    }
    const tenth = this.total > 0 ? Math.floor((this.done / this.total) * 10) : 0;
    if (tenth > this.lastTenth || now - this.lastDraw >= LINE_EVERY_MS) {
      this.lastTenth = tenth;
      this.lastDraw = now;
      this.out.write(`${this.line(now)}\n`);
    }
  }

  /** Ends the bar's line on a terminal. */
  finish(): void {
    if (this.out.isTTY) this.out.write(`\r${this.line(Date.now())}\u001b[K\n`);
  }

  private line(now: number): string {
    const seconds = Math.max(0.001, (now - this.started) / 1000);
    const rate = this.done / seconds;
    const share = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const filled = Math.round(share * BAR);
    const eta = rate > 0 && this.done < this.total ? `  ETA ${formatSeconds((this.total - this.done) / rate)}` : '';
    const n = (x: number) => x.toLocaleString('en-US');
    return `${this.label} [${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}] ${String(Math.floor(share * 100)).padStart(3)}% `
      + `${n(this.done)}/${n(this.total)}  ${n(Math.round(rate))}/s${eta}`;
  }
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
}
