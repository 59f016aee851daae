/**
 * How a function's cost grows: the CPU time (this process's, user + system, the least of three
 * runs) of `run(4 × n)` over that of `run(n)`. About 4 for linear work, 16 for quadratic. CPU time,
 * not wall time, and a ratio, not a limit: the same on a quiet machine and on a loaded one.
 */
export async function growth(run: (size: number) => unknown, n: number): Promise<number> {
  const cost = async (size: number): Promise<number> => {
    let least = Infinity;
    for (let attempt = 0; attempt < 3; attempt++) {
      const start = process.cpuUsage();
      await run(size);
      const used = process.cpuUsage(start);
      least = Math.min(least, used.user + used.system);
    }
    return least;
  };
  const small = await cost(n);
  return (await cost(4 * n)) / Math.max(small, 1);
}
