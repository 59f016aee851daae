import { existsSync, readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { commandLine, descendantsOf, isAlive } from './helpers/processes.ts';
import { startCli } from './helpers/spawn.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('npm run bench', () => {
  it('stops what it measures when interrupted: exit 130, no process of its left, its temporary project removed', async () => {
    const bench = startCli(['bench', 'nochange', '--runs', '1'], TOOL_ROOT);
    await bench.waitFor(/^Starting up:/m);
    // Interrupted while the build it measures runs (npm, the CLI and its Chrome, under a shell).
    let building: number[] = [];
    for (const deadline = Date.now() + 30_000; building.length === 0 && Date.now() < deadline; await sleep(20)) {
      building = descendantsOf(bench.child.pid!).filter((pid) => commandLine(pid)?.includes('bootstrap.mjs build'));
    }
    expect(building, bench.output()).not.toEqual([]);
    const project = readlinkSync(`/proc/${building[0]}/cwd`);
    expect(project).toMatch(/brief-bench-/);
    bench.child.kill('SIGTERM');
    const started = descendantsOf(bench.child.pid!);
    const { code } = await bench.exited;
    expect(code, bench.output()).toBe(130);
    expect(bench.output()).not.toMatch(/nothing changed\s+\d+ ms/);
    for (const deadline = Date.now() + 10_000; started.some(isAlive) && Date.now() < deadline; ) await sleep(50);
    expect(started.filter(isAlive).map(commandLine)).toEqual([]);
    expect(existsSync(project)).toBe(false);
  });
});
