import type { Io } from '../cli.ts';

/**
 * A progress bar on the last line of a terminal: how many briefs are done, the one being built,
 * and an estimate of the time left. Lines written through `line()` appear above it. On anything
 * but a terminal (CI logs, pipes) there is no bar, only the lines.
 */
export class ProgressBar {
  private total = 0;
  private done = 0;
  private current = '';
  private started = performance.now();
  private shown = false;
  private readonly tty: boolean;

  constructor(private readonly io: Io) {
    this.tty = io.stdout.isTTY === true && io.env.TERM !== 'dumb' && !io.env.CI;
  }

  /** Starts counting `total` briefs. */
  start(total: number): void {
    this.total = total;
    this.done = 0;
    this.started = performance.now();
    this.draw();
  }

  /** The brief now being built. */
  working(name: string): void {
    this.current = name;
    this.draw();
  }

  /** One more brief finished. */
  advance(): void {
    this.done++;
    this.draw();
  }

  /** Writes a whole line above the bar. */
  line(text: string): void {
    this.clear();
    this.io.stdout.write(`${text}\n`);
    this.draw();
  }

  /** Removes the bar (before the summary). */
  finish(): void {
    this.clear();
    this.total = 0;
  }

  private clear(): void {
    if (this.tty && this.shown) this.io.stdout.write('\r\x1b[2K');
    this.shown = false;
  }

  private draw(): void {
    if (!this.tty || this.total === 0) return;
    const width = 24;
    const filled = Math.round((this.done / this.total) * width);
    const elapsed = performance.now() - this.started;
    const left = this.done > 0 ? ((this.total - this.done) * elapsed) / this.done : undefined;
    const eta = left === undefined ? '' : ` · ${clock(left)} left`;
    const columns = (this.io.stdout as { columns?: number }).columns ?? 100;
    const text = `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${this.done}/${this.total}${eta} · ${this.current}`;
    this.io.stdout.write(`\r\x1b[2K${text.slice(0, columns - 1)}`);
    this.shown = true;
  }
}

function clock(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
