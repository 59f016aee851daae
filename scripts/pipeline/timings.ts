/** Runs one stage of a brief's build and adds the milliseconds it took to that stage's total. */
export type Time = <T>(stage: string, work: () => Promise<T>) => Promise<T>;

/** A `time` function that adds to `timings` (for `--verbose` and the benchmark). */
export function timer(timings: Record<string, number>): Time {
  return async (stage, work) => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      timings[stage] = (timings[stage] ?? 0) + performance.now() - start;
    }
  };
}
