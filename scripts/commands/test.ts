import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Io } from '../cli.ts';
import { ensureTestTools } from '../setup/tools.ts';
import { TOOL_ROOT } from '../paths.ts';

/** `npm test`: makes sure Chromium, qpdf, poppler and Java are installed, then runs vitest. */
export async function test(argv: string[], io: Io): Promise<number> {
  await ensureTestTools({ env: io.env, log: (line) => io.stderr.write(`brief: ${line}\n`) });
  const vitest = join(TOOL_ROOT, 'node_modules', 'vitest', 'vitest.mjs');
  const child = spawn(process.execPath, [vitest, 'run', ...argv], { cwd: io.cwd, env: io.env, stdio: 'inherit' });
  const abort = () => child.kill('SIGINT');
  io.signal.addEventListener('abort', abort, { once: true });
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      io.signal.removeEventListener('abort', abort);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
