export interface RssSample {
  process: string;
  pid: number;
  /** Milliseconds since the soak began. */
  atMs: number;
  rssKb: number;
}

export interface RssGrowth {
  process: string;
  /** Peak RSS in the first window after warm-up, and in the last window, KiB. */
  firstPeakKb: number;
  lastPeakKb: number;
  /** (last − first) / first. */
  growth: number;
  samples: number;
}

export interface GrowthWindows {
  warmUpMs: number;
  windowMs: number;
}

/** Warm-up and window lengths for a soak: a fifth of it each, at least 30 s. */
export const growthWindows = (durationMs: number): GrowthWindows => {
  const windowMs = Math.max(30_000, durationMs / 5);
  return { warmUpMs: windowMs, windowMs };
};

/**
 * Compares a process's peak RSS in the first window after warm-up with its peak in the last
 * window of the soak. Throws when a window has no sample (the soak was too short to judge).
 */
export function rssGrowth(
  samples: readonly RssSample[],
  process: string,
  durationMs: number,
  windows = growthWindows(durationMs),
): RssGrowth {
  const own = samples.filter((sample) => sample.process === process);
  const peakIn = (from: number, to: number) => {
    const inside = own.filter((sample) => sample.atMs >= from && sample.atMs <= to);
    if (inside.length === 0) throw new Error(`no RSS sample of ${process} between ${from} and ${to} ms`);
    return Math.max(...inside.map((sample) => sample.rssKb));
  };
  const firstPeakKb = peakIn(windows.warmUpMs, windows.warmUpMs + windows.windowMs);
  const lastPeakKb = peakIn(durationMs - windows.windowMs, durationMs);
  return { process, firstPeakKb, lastPeakKb, growth: (lastPeakKb - firstPeakKb) / firstPeakKb, samples: own.length };
}
