// Secrets the file may hold (a jwt `secret`, usually from ${JWT_SECRET}; a password in the
// rateLimitStore URL) never leave the process: `/config`, `/routes` and `check --json` show them
// as REDACTED. Pure.

import type { StranglerConfig } from './types.js';

export const REDACTED = '<redacted>';

/** A URL with its password (and a user name without one) replaced. Unparseable: whatever sits
 *  between `//` and `@` replaced. */
export function redactUrl(u: string): string {
  try {
    const url = new URL(u);
    if (url.password === '' && url.username === '') return u;
    // (a URL would percent-encode REDACTED's brackets)
    if (url.password !== '') url.password = 'redacted';
    else url.username = 'redacted';
    return url.toString();
  } catch {
    return u.replace(/\/\/[^/@]*@/, '//redacted@');
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

/** A value at `pointer` (a JSON pointer into the file) as an error message may show it: a jwt
 *  secret never (its length only), a URL's password redacted. */
export function shownValue(value: unknown, pointer: string): unknown {
  if (/^\/auth\/[^/]+\/jwt\/secret$/.test(pointer)) return typeof value === 'string' ? `(a secret of ${value.length} characters)` : value;
  if (typeof value === 'string' && /^\/(server\/rateLimitStore|auth\/[^/]+\/jwt\/jwksUrl)$/.test(pointer)) return redactUrl(value);
  return value;
}
