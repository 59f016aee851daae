import { SetupError } from '../errors.ts';
import { aptInstall, canUseApt, onPath, resolveChrome } from './chrome.ts';

/** Command-line tools the tests read outputs with, and the Debian packages that provide them. */
const TOOLS: { command: string; aptPackage: string; why: string }[] = [
  { command: 'qpdf', aptPackage: 'qpdf', why: 'checks PDF structure' },
  { command: 'pdftotext', aptPackage: 'poppler-utils', why: 'reads PDFs back (poppler)' },
  { command: 'java', aptPackage: 'default-jre-headless', why: 'runs the Nu Html Checker' },
  { command: 'pandoc', aptPackage: 'pandoc', why: 'writes the Word documents the import tests read' },
];

/**
 * Installs what the test suite needs beyond npm packages: Chrome (as for a build), and qpdf,
 * poppler-utils and Java. On Debian/Ubuntu as root they are installed with apt; elsewhere a
 * missing tool stops with the exact package to install.
 */
export async function ensureTestTools(options: { env: NodeJS.ProcessEnv; log: (line: string) => void }): Promise<void> {
  const missing = TOOLS.filter((tool) => onPath(tool.command, options.env) === undefined);
  if (missing.length > 0 && canUseApt()) {
    options.log(`installing ${missing.map((tool) => tool.aptPackage).join(', ')} with apt-get (once)…`);
    aptInstall(missing.map((tool) => tool.aptPackage), options.log);
  }
  const still = TOOLS.filter((tool) => onPath(tool.command, options.env) === undefined);
  if (still.length > 0) {
    throw new SetupError(
      `The tests need ${still.map((tool) => `${tool.command} (${tool.why}; Debian/Ubuntu package ${tool.aptPackage})`).join(', ')}. Install ${still.length === 1 ? 'it' : 'them'} and run npm test again.`,
      'test-tools-missing',
    );
  }
  await resolveChrome({ env: options.env, install: true, log: options.log });
}
