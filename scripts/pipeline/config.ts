import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VFile } from 'vfile';
import { resolveBrand, type ResolvedBrand } from './brand.ts';
import { warnUnknownRules } from './rules.ts';
import { report } from './messages.ts';
import { defaultConfig } from './config-defaults.ts';
import type { Config } from './schema.ts';

/** The project's optional configuration file, beside package.json. */
export const CONFIG_NAME = 'brief.config.yaml';

/** A loaded configuration and the file its problems are reported on. */
export interface LoadedConfig {
  config: Config | undefined;
  file: VFile;
  /** The config's brand with its logo embedded (empty when there is none). */
  brand: ResolvedBrand;
}

/**
 * Reads brief.config.yaml from the project root. A missing file is the default configuration;
 * a broken one leaves `config` undefined with its problems (file:line:col) on `file`.
 */
export async function loadConfig(root: string): Promise<LoadedConfig> {
  const path = join(root, CONFIG_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { config: defaultConfig(), file: new VFile({ path, cwd: root }), brand: {} };
    const file = new VFile({ path, cwd: root });
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : code;
    report(file, 'error', `Cannot read ${CONFIG_NAME}: ${why}. Fix its permissions, or remove it to use the defaults.`, 'config-yaml');
    return { config: undefined, file, brand: {} };
  }
  const file = new VFile({ path, value: text, cwd: root });
  // The YAML parser and the schema are loaded only for a project that has a config: most builds that change nothing need neither.
  const [{ parseYaml }, { configSchema }, { validate }] = await Promise.all([import('./yaml.ts'), import('./schema.ts'), import('./validate.ts')]);
  const yaml = parseYaml(file, text, { firstLine: 1, rule: 'config-yaml', maxAliasCount: 100 });
  const config = yaml ? validate(configSchema, yaml, file, { noun: 'Config field', rule: 'config-field', unknownRule: 'unknown-config-field' }) : undefined;
  if (config?.ignore && yaml) warnUnknownRules(file, config.ignore, yaml);
  // A default template that does not exist is the config's mistake: said once, at its value.
  if (config?.template && yaml) {
    // Loaded only here: a config without a template never loads the template code.
    const { requireTemplate, UnknownTemplateError } = await import('./template.ts');
    const missing = await requireTemplate(join(root, 'templates'), config.template).then(
      () => undefined,
      (error: unknown) => (error instanceof UnknownTemplateError ? error : Promise.reject(error)),
    );
    if (missing) {
      report(file, 'error', missing.message, missing.code, yaml.locate(['template']));
      return { config: undefined, file, brand: {} };
    }
  }
  // The logo is read now, once: a missing one is one error at its line, before any brief is built.
  const brand = config && yaml ? await resolveBrand(config.brand, root, file, yaml.locate) : undefined;
  return { config: brand ? config : undefined, file, brand: brand ?? {} };
}
