/**
 * How a function's cost grows: the CPU time of `run(8 × n)` over that of `run(n)`, each the least
 * of five runs taken in turns (small, large, small, large…) so that a busy moment of the machine or
 * a collection of this worker's heap weighs on both sizes alike. About 8 for linear work, 64 for
 * quadratic: assert under `LINEAR_BOUND`, halfway between the two on a log scale, which leaves
 * room for a ratio blown up nearly threefold by noise (a CI run once saw 8.9 where 4× the text
 * should have cost about 4×). CPU time (this process's, user + system), not wall time, and a
 * ratio, not a limit.
 */
export const LINEAR_BOUND = 23;

export async function growth(run: (size: number) => unknown, n: number): Promise<number> {
  const cost = async (size: number): Promise<number> => {
    const start = process.cpuUsage();
    await run(size);
    const used = process.cpuUsage(start);
    return used.user + used.system;
  };
  await run(n); // Warm: the first call also compiles the code it runs.
  let small = Infinity;
  let large = Infinity;
  for (let round = 0; round < 5; round++) {
    small = Math.min(small, await cost(n));
    large = Math.min(large, await cost(8 * n));
  }
  return large / Math.max(small, 1);
}
