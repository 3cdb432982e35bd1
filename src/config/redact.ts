// Secrets the file may hold (a jwt `secret`, usually from ${JWT_SECRET}; a password in the
// rateLimitStore URL) never leave the process: `/config`, `/routes` and `check --json` show them
// as REDACTED. Pure.

import type { StranglerConfig } from './types.js';

export const REDACTED = '<redacted>';

/** A URL with its password (and a user name without one) replaced. Unparseable: as it is. */
export function redactUrl(u: string): string {
  try {
    const url = new URL(u);
    if (url.password === '' && url.username === '') return u;
    // (a URL would percent-encode REDACTED's brackets)
    if (url.password !== '') url.password = 'redacted';
    else url.username = 'redacted';
    return url.toString();
  } catch {
    return u;
  }
}

/** The validated file as `/config` serves it. */
export function redactConfig(config: StranglerConfig): StranglerConfig {
  const store = config.server.rateLimitStore;
  if (config.auth === undefined && store === undefined) return config;
  const auth = config.auth === undefined
    ? undefined
    : Object.fromEntries(Object.entries(config.auth).map(([n, a]) => [n, a.jwt?.secret === undefined ? a : { ...a, jwt: { ...a.jwt, secret: REDACTED } }]));
  return {
    ...config,
    server: store === undefined ? config.server : { ...config.server, rateLimitStore: redactUrl(store) },
    ...(auth === undefined ? {} : { auth }),
  };
}
