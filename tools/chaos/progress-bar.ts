/**
 * One line on stderr: redrawn in place on a terminal, printed every 10 % otherwise, so CI logs
 * stay readable.
 */
export class ProgressBar {
  readonly #tty = Boolean(process.stderr.isTTY);
  #lastDecile = -1;
  #lastDraw = 0;

  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {}

  update(done: number, note = ''): void {
    const fraction = this.total === 0 ? 1 : Math.min(1, done / this.total);
    const width = 30;
    const filled = Math.round(fraction * width);
    const line = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${this.total}${note ? ` · ${note}` : ''}`;
    if (this.#tty) {
      // Redrawing more than ten times a second only costs CPU on a busy machine.
      if (Date.now() - this.#lastDraw < 100 && done < this.total) return;
      this.#lastDraw = Date.now();
      process.stderr.write(`\r\x1b[K${line.slice(0, (process.stderr.columns ?? 120) - 1)}`);
      return;
    }
    const decile = Math.floor(fraction * 10);
    if (decile !== this.#lastDecile) {
      this.#lastDecile = decile;
      process.stderr.write(`${line}\n`);
    }
  }

  /** Prints a line of its own without mangling the bar. */
  log(message: string): void {
    process.stderr.write(this.#tty ? `\r\x1b[K${message}\n` : `${message}\n`);
  }

  done(): void {
    if (this.#tty) process.stderr.write('\n');
  }
}
