/**
 * Runs the baseline and the product `rounds` times each, alternating, so that drift on a shared
 * machine (another process waking up, a cache warming) hits both alike.
 */
export async function alternate<T>(
  rounds: number,
  baseline: () => Promise<T>,
  product: () => Promise<T>,
): Promise<{ baseline: T[]; product: T[] }> {
  const runs = { baseline: [] as T[], product: [] as T[] };
  for (let round = 0; round < rounds; round++) {
    runs.baseline.push(await baseline());
    runs.product.push(await product());
  }
  return runs;
}

/** The run whose `key` is the median (the lower middle for an even count), plus every run's `key`. */
export function medianRun<T>(runs: readonly T[], key: (run: T) => number): T & { rounds: number[] } {
  const values = runs.map(key);
  const middle = [...values].sort((a, b) => a - b)[Math.ceil(values.length / 2) - 1];
  return { ...runs[values.indexOf(middle!)]!, rounds: values };
}
