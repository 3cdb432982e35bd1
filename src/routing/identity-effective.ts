// The identity keys with their defaults: the authenticators under `auth:` and a route's `auth`
// and `rateLimit`. Pure: paths are resolved against the routes file's folder, nothing is read.

import path from 'node:path';
import type { AuthenticatorConfig, RateLimitConfig, RouteConfig } from '../config/types.js';
import { FORWARD_AUTH_DEFAULTS, JWT_DEFAULTS } from './defaults.js';
import type { EffectiveAuthenticator, EffectiveRateLimit, RateLimitKey } from './types.js';

export function effectiveAuthenticators(auth: Readonly<Record<string, AuthenticatorConfig>> | undefined, baseDir: string): Map<string, EffectiveAuthenticator> {
  const out = new Map<string, EffectiveAuthenticator>();
  for (const [name, a] of Object.entries(auth ?? {})) {
    if (a.jwt !== undefined) {
      const j = a.jwt;
      const secret = j.secret ?? null;
      out.set(name, {
        kind: 'jwt',
        name,
        jwksUrl: j.jwksUrl ?? null,
        secret,
        publicKey: j.publicKey === undefined ? null : path.resolve(baseDir, j.publicKey),
        issuer: j.issuer ?? null,
        audience: j.audience === undefined ? null : typeof j.audience === 'string' ? [j.audience] : j.audience,
        algorithms: j.algorithms ?? (secret !== null ? JWT_DEFAULTS.hmacAlgorithms : JWT_DEFAULTS.asymmetricAlgorithms),
        clockSkewMs: j.clockSkewMs ?? JWT_DEFAULTS.clockSkewMs,
        claimsToHeaders: Object.entries(j.claimsToHeaders ?? {}).map(([claim, header]) => [claim, header.toLowerCase()] as const),
        jwksCacheMs: j.jwksCacheMs ?? JWT_DEFAULTS.jwksCacheMs,
        timeoutMs: j.timeoutMs ?? JWT_DEFAULTS.timeoutMs,
      });
    } else if (a.forward !== undefined) {
      const f = a.forward;
      const lower = (list: readonly string[]): string[] => list.map((h) => h.toLowerCase());
      out.set(name, {
        kind: 'forward',
        name,
        upstream: f.upstream,
        path: f.path,
        headers: lower(f.headers ?? FORWARD_AUTH_DEFAULTS.headers),
        copyHeaders: lower(f.copyHeaders ?? FORWARD_AUTH_DEFAULTS.copyHeaders),
        cacheMs: f.cacheMs ?? FORWARD_AUTH_DEFAULTS.cacheMs,
        cacheKey: f.cacheKey ?? FORWARD_AUTH_DEFAULTS.cacheKey,
        timeoutMs: f.timeoutMs ?? FORWARD_AUTH_DEFAULTS.timeoutMs,
        maxCacheEntries: f.maxCacheEntries ?? FORWARD_AUTH_DEFAULTS.maxCacheEntries,
      });
    }
  }
  return out;
}

/** The header names (lower case) any authenticator writes: never taken from a client. */
export function identityHeaders(auth: ReadonlyMap<string, EffectiveAuthenticator>): string[] {
  const names = new Set<string>();
  for (const a of auth.values()) {
    if (a.kind === 'jwt') for (const [, h] of a.claimsToHeaders) names.add(h);
    else for (const h of a.copyHeaders) names.add(h);
  }
  return [...names].sort();
}

export function routeAuth(r: RouteConfig): readonly string[] | null {
  if (r.auth === undefined) return null;
  return typeof r.auth === 'string' ? [r.auth] : r.auth;
}

export function effectiveRateLimit(l: RateLimitConfig | undefined): EffectiveRateLimit | null {
  if (l === undefined) return null;
  return {
    requestsPerSecond: l.requestsPerSecond,
    // Default burst: one second's worth (at least one request).
    burst: l.burst ?? Math.max(1, Math.ceil(l.requestsPerSecond)),
    key: parseKey(l.key ?? 'client-ip'),
  };
}

function parseKey(key: string): RateLimitKey {
  if (key.startsWith('header:')) return { kind: 'header', name: key.slice(7).toLowerCase() };
  if (key.startsWith('claim:')) return { kind: 'claim', name: key.slice(6) };
  return { kind: 'client-ip' };
}
