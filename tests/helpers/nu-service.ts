import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';

const require = createRequire(import.meta.url);

declare module 'vitest' {
  export interface ProvidedContext {
    /** The address of the Nu Html Checker service global setup started (startNuService), if it started one. */
    vnu?: string;
  }
}

/**
 * Starts the Nu Html Checker as an HTTP service on 127.0.0.1 (the same vnu.jar, its
 * nu.validator.servlet.Main): for global setup, which provides `url` as "vnu" so that
 * nuHtmlCheck (validators.ts) in every test file sends its handouts there. It returns at once,
 * with the address: the Java virtual machine starts while the first test files load, and
 * nuHtmlCheck waits until it answers (`ready` rejects if it exits first). C1 only and the serial
 * collector: the same reports, about half the CPU of the default JIT for a run's few dozen pages.
 * Nothing here imports vitest or Chromium: global setup loads it in the main process.
 */
export async function startNuService(): Promise<{ url: string; ready: Promise<void>; stop(): Promise<void> }> {
  const jar = require.resolve('vnu-jar/build/dist/vnu.jar');
  const port = await freePort();
  const child = spawn('java', ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xss4m', '-Dnu.validator.servlet.bind-address=127.0.0.1', '-cp', jar, 'nu.validator.servlet.Main', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  // Read to the end (a full pipe would stall it), kept only until it has started.
  let started = false;
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      if (started) return;
      output += chunk.toString();
      if (output.includes('Checker service started')) {
        started = true;
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    void exited.then(() => reject(new Error(`The Nu Html Checker service exited before it started:\n${output}`)));
  });
  ready.catch(() => {});
  return {
    url: `http://127.0.0.1:${port}/`,
    ready,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A TCP port free on 127.0.0.1 now, for a server started next. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('No free port on 127.0.0.1.');
  return address.port;
}
