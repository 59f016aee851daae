import { afterEach, describe, expect, it } from 'vitest';
import { brief, createProject, type TempProject } from './helpers/project.ts';

describe('brief.config.yaml mistakes are the config\'s, said at its line and column', () => {
  let project: TempProject | undefined;
  afterEach(async () => project?.remove());

  it('names the templates that exist when the config asks for one that does not, at the value, and builds nothing', async () => {
    project = await createProject({
      'brief.config.yaml': 'limits:\n  max_bytes: 100000\ntemplate: annual-report\n',
      'source/x.md': brief('Text.\n'),
    });
    const result = await project.run(['build', '--format', 'html']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('brief.config.yaml:3:11 error Cannot find template "templates/annual-report". Create it, or set "template:" to one of: in-focus, policy-brief. (unknown-template)');
    expect(result.stdout).toContain('brief.config.yaml has errors: nothing was built');
  });

  it('takes a template the config names when it exists', async () => {
    project = await createProject({ 'brief.config.yaml': 'template: in-focus\n', 'source/x.md': brief('Text.\n') });
    const result = await project.run(['build', '--format', 'html']);
    expect(result.code, result.stderr).toBe(0);
    expect(await project.read('output/x.html')).toContain('in-focus');
  });
});

describe('a project without brief.config.yaml', () => {
  it('has the defaults its schema makes of an empty file (config-defaults.ts, which loads no schema, keeps them)', async () => {
    const { defaultConfig } = await import('../scripts/pipeline/config-defaults.ts');
    const { configSchema } = await import('../scripts/pipeline/schema.ts');
    expect(defaultConfig()).toEqual(configSchema.parse({}));
    // Each call is a fresh object: one run's settings never leak into the next.
    expect(defaultConfig()).not.toBe(defaultConfig());
  });
});
