import { BriefError, EXIT, InternalError, SetupError, UsageError } from './errors.ts';
import { mapStack } from './map-stack.ts';

/** The process's streams and surroundings, handed to commands (never read below this file). */
export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C: commands stop work and close Chrome. */
  signal: AbortSignal;
}

type Command = (argv: string[], io: Io) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  build: { summary: 'build briefs into HTML handouts and PDFs', load: async () => (await import('./commands/build.ts')).build },
  watch: { summary: 'rebuild on every change, with a live preview', load: async () => (await import('./commands/watch.ts')).watchCommand },
  check: { summary: 'preflight: content, printed layout and accessibility of each brief', load: async () => (await import('./commands/check.ts')).check },
  bench: { summary: 'measure speed against baselines in the same run', load: async () => (await import('./commands/bench.ts')).bench },
  import: { summary: 'turn Word documents (.docx) and saved web pages (.html) into briefs', load: async () => (await import('./commands/import.ts')).importCommand },
  docs: { summary: "rewrite the README's reference tables from the schema", load: async () => (await import('./commands/docs.ts')).docs },
  test: { summary: 'run the test suite (installs the tools it needs)', load: async () => (await import('./commands/test.ts')).test },
};

export const USAGE = `Usage: npm run <command> -- [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(8)}${command.summary}`)
  .join('\n')}

Run \`npm run <command> -- --help\` for a command's options.`;

/** Runs one command line and returns the exit code: 0 all good, 1 a brief failed, 2 bad usage. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (!name || name === '--help' || name === '-h' || name === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return name ? EXIT.ok : EXIT.usage;
    }
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`Unknown command "${name}". Commands: ${Object.keys(COMMANDS).join(', ')}.`);
    return await (await command.load())(rest, io);
  } catch (error) {
    return reportFailure(error, io, name);
  }
}

/** Prints an error that ended a command and picks the exit code for it. */
export function reportFailure(error: unknown, io: Io, command?: string): number {
  if (error instanceof UsageError) {
    io.stderr.write(`brief: ${error.message}\nRun \`npm run ${command && COMMANDS[command] ? command : 'build'} -- --help\` for usage.\n`);
    return EXIT.usage;
  }
  if (error instanceof SetupError || (error instanceof BriefError && !(error instanceof InternalError))) {
    io.stderr.write(`brief: ${error.message}\n`);
    return EXIT.failed;
  }
  const chain: string[] = [];
  for (let current: unknown = error, depth = 1; current !== undefined && depth < 10; depth++) {
    chain.push(`${depth}. ${current instanceof Error ? (current.stack ? mapStack(current.stack) : current.message) : String(current)}`);
    current = current instanceof Error ? current.cause : undefined;
  }
  io.stderr.write(`brief: Internal error (a bug in brief, not in your brief; please report it):\n${chain.join('\n')}\n`);
  return EXIT.failed;
}

/** Entry from scripts/bootstrap.mjs: real process streams, Ctrl-C wired to an AbortSignal. */
export async function run(argv: string[]): Promise<number> {
  const controller = new AbortController();
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\nbrief: ${signal === 'SIGINT' ? 'interrupted' : signal}: stopping and closing Chrome…\n`);
    controller.abort(new Error(`Interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const code = await main(argv, { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env, signal: controller.signal });
    // Ctrl-C is how watch mode ends normally; for anything else it is an interruption.
    return interrupted && argv[0] !== 'watch' ? 130 : code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
