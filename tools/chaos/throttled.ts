/** Calls `fn` at most once per `intervalMs`, dropping the calls in between. */
export function throttled<A extends unknown[]>(intervalMs: number, fn: (...args: A) => void): (...args: A) => void {
  let last = 0;
  return (...args) => {
    if (Date.now() - last < intervalMs) return;
    last = Date.now();
    fn(...args);
  };
}
