import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { SetupError } from '../errors.ts';
import { TOOL_ROOT } from '../paths.ts';

/** Where a Chrome executable was found, for the build log and for error messages. */
export interface ChromeLocation {
  executablePath: string;
  source: 'BRIEF_CHROME' | 'PUPPETEER_EXECUTABLE_PATH' | 'installed' | 'puppeteer' | 'apt';
}

export interface ResolveChromeOptions {
  env: NodeJS.ProcessEnv;
  /** Install Chromium when none is found (apt on Debian/Ubuntu as root, else puppeteer's download). */
  install: boolean;
  /** Progress lines while installing (an install takes a minute). */
  log?: (line: string) => void;
}

const INSTALLED_NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome', 'chrome'];
const INSTALLED_PATHS: Record<string, string[]> = {
  darwin: [
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
  ],
  win32: [
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
  ],
};

/**
 * Finds the Chrome that prints PDFs, in the documented order: BRIEF_CHROME or
 * PUPPETEER_EXECUTABLE_PATH; an installed Chromium or Chrome; puppeteer's own download. With
 * `install`, a machine that has none gets Debian's chromium (apt, as root) or puppeteer's build.
 */
export async function resolveChrome(options: ResolveChromeOptions): Promise<ChromeLocation> {
  const { env } = options;
  for (const name of ['BRIEF_CHROME', 'PUPPETEER_EXECUTABLE_PATH'] as const) {
    const path = env[name];
    if (!path) continue;
    if (!isExecutable(path)) {
      throw new SetupError(`${name} is set to "${path}", which is not an executable file. Point it at Chrome or Chromium, or unset it.`, 'chrome-env-missing');
    }
    return { executablePath: path, source: name };
  }
  const installed = findInstalled(env);
  if (installed) return { executablePath: installed, source: 'installed' };
  const downloaded = await findPuppeteerDownload();
  if (downloaded) return { executablePath: downloaded, source: 'puppeteer' };
  if (!options.install) throw noChrome();

  const log = options.log ?? (() => {});
  if (canUseApt()) {
    log('No Chrome or Chromium found: installing Debian\'s chromium with apt-get (once)…');
    const ok = aptInstall(['chromium'], log);
    const after = ok ? findInstalled(env) : undefined;
    if (after) return { executablePath: after, source: 'apt' };
    log('apt-get could not install chromium; trying puppeteer\'s download instead.');
  }
  log('No Chrome or Chromium found: downloading puppeteer\'s Chrome (once)…');
  const result = spawnSync(process.execPath, [puppeteerCli(), 'browsers', 'install', 'chrome'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...env, PUPPETEER_SKIP_DOWNLOAD: '' },
  });
  const fetched = result.status === 0 ? await findPuppeteerDownload() : undefined;
  if (fetched) return { executablePath: fetched, source: 'puppeteer' };
  throw noChrome();
}

/** Runs `apt-get install -y` for packages (after one `apt-get update`); true when it succeeded. */
export function aptInstall(packages: string[], log: (line: string) => void): boolean {
  const quiet = { stdio: ['ignore', 'ignore', 'pipe'] as ('ignore' | 'pipe')[], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  const update = spawnSync('apt-get', ['update'], quiet);
  if (update.status !== 0) log(`apt-get update failed: ${String(update.stderr).trim().split('\n').pop()}`);
  const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], quiet);
  if (install.status !== 0) log(`apt-get install ${packages.join(' ')} failed: ${String(install.stderr).trim().split('\n').pop()}`);
  return install.status === 0;
}

/** True on Debian or Ubuntu, as root, with apt-get on the PATH. */
export function canUseApt(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  if (!existsSync('/etc/os-release')) return false;
  const release = readFileSync('/etc/os-release', 'utf8');
  return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(release) && onPath('apt-get', process.env) !== undefined;
}

/** The first executable named `name` on the PATH. */
export function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function findInstalled(env: NodeJS.ProcessEnv): string | undefined {
  for (const name of INSTALLED_NAMES) {
    const found = onPath(name, env);
    // Ubuntu's chromium-browser can be a stub that only says "install the snap".
    if (found && !isSnapStub(found)) return found;
  }
  return (INSTALLED_PATHS[process.platform] ?? []).find(isExecutable);
}

async function findPuppeteerDownload(): Promise<string | undefined> {
  try {
    const { default: puppeteer } = await import('puppeteer');
    const path = puppeteer.executablePath();
    return isExecutable(path) ? path : undefined;
  } catch {
    // puppeteer throws when its configured browser was never downloaded.
    return undefined;
  }
}

function puppeteerCli(): string {
  return join(TOOL_ROOT, 'node_modules', 'puppeteer', 'lib', 'cjs', 'puppeteer', 'node', 'cli.js');
}

function isSnapStub(path: string): boolean {
  try {
    return readFileSync(path, { encoding: 'latin1' }).slice(0, 4096).includes('snap install');
  } catch {
    return false;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function noChrome(): SetupError {
  return new SetupError(
    'No Chrome or Chromium found to print PDFs. Install one (Debian/Ubuntu: `sudo apt-get install chromium`; ' +
      'macOS: `brew install --cask chromium`), or run `npx puppeteer browsers install chrome`, ' +
      'or set BRIEF_CHROME=/path/to/chrome. To build HTML only, pass `--format html`.',
    'chrome-not-found',
  );
}
