/** Peak RSS per process name, over every part that ran it. */
export class PeakMemory {
  readonly peaks: Record<string, number> = {};

  record(name: string, bytes: number): void {
    this.peaks[name] = Math.max(this.peaks[name] ?? 0, bytes);
  }
}
