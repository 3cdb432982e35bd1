// routes.yaml -> a validated config and its effective routes (config/load.ts with the effective
// step as its last check), or every error with its line and column. What the proxy loads and
// what `strangler check` accepts come through here, so nothing accepted can fail to compile.

import { parseConfigWith, readConfigText } from '../config/load.js';
import type { LoadResult, StranglerConfig } from '../config/types.js';
import { effectiveConfig } from './effective.js';
import type { EffectiveConfig } from './types.js';

/** A valid file: its config as written, its version, and its effective routes. */
export type ValidConfig = Extract<LoadResult, { ok: true }> & { readonly effective: EffectiveConfig };
export type Validated = ValidConfig | Extract<LoadResult, { ok: false }>;

function effectiveStep(config: StranglerConfig): { ok: true; value: EffectiveConfig } | { ok: false; issues: readonly { pointer: string; message: string }[] } {
  const r = effectiveConfig(config);
  return r.ok ? { ok: true, value: r.effective } : { ok: false, issues: r.issues };
}

/** Parses, validates and resolves routes.yaml text (no I/O). */
export function parseRoutes(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Validated {
  const r = parseConfigWith(text, file, env, effectiveStep);
  return r.ok ? { ok: true, file: r.file, config: r.config, version: r.version, effective: r.derived } : r;
}

/** Reads a routes.yaml file and parses it; a missing or unreadable file is one error at 1:1. */
export async function loadRoutesFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<Validated> {
  const read = await readConfigText(file);
  return 'error' in read ? { ok: false, file, errors: [read.error] } : parseRoutes(read.text, file, env);
}
