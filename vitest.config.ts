import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    // Real Chromium and real validators: give them time, but never hide a hang.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: more workers than that only makes Chrome-heavy files fight.
    maxWorkers: 2,
    pool: 'forks',
  },
});
