import { DEFAULT_TIMEOUT_MS } from './browser.ts';
import type { Config } from './schema.ts';

/**
 * The defaults of brief.config.yaml's `limits:`, used by its schema (schema.ts) and by a project
 * without a config file, which then needs no validator loaded at all (a build that changes nothing
 * stays small: importing zod alone took 72-116 ms of wall time from node_modules, three tries on
 * 2026-11-29; bundled into the CLI it costs less, but still its parse and evaluation).
 */
export const LIMIT_DEFAULTS = {
  max_bytes: 2 * 1024 * 1024,
  render_timeout_ms: DEFAULT_TIMEOUT_MS,
  max_depth: 48,
  max_image_bytes: 10 * 1024 * 1024,
  max_data_bytes: 5 * 1024 * 1024,
  fetch_timeout_ms: 10_000,
} as const;

/** The configuration of a project without brief.config.yaml: what its schema makes of `{}`. */
export function defaultConfig(): Config {
  return { limits: { ...LIMIT_DEFAULTS } };
}
