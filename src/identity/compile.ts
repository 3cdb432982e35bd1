// The identity part of a table: the authenticators under `auth:` (one instance each, kept by the
// next table while its effective config is unchanged, so JWKS and answer caches survive a
// reload), the header names no client may send, and each route's gate.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Upstream } from '../forward/pools.js';
import type { Metrics } from '../observability/metrics.js';
import type { EffectiveAuthenticator, EffectiveConfig, EffectiveRoute } from '../routing/types.js';
import { identityHeaders } from '../routing/identity-effective.js';
import { canonicalJson } from '../util/canonical-json.js';
import { createForwardAuthenticator } from './forward.js';
import { RouteGate } from './gate.js';
import { createJwtAuthenticator, type AuthDeps } from './jwt.js';
import type { RateLimitStores } from './stores.js';
import type { Authenticator } from './types.js';

/** An authenticator with what it was built from: its config (and a public key file's content),
 *  and a forward authenticator's pool (a reload that rebuilds the pool, say for a new
 *  `connections` or CA file, retires the old one: the authenticator must follow). */
export interface BuiltAuthenticator {
  readonly fingerprint: string;
  readonly pool: object | null;
  readonly authenticator: Authenticator;
}

export interface Identity {
  readonly authenticators: ReadonlyMap<string, BuiltAuthenticator>;
  /** Lower-case names removed from every client request; null when no authenticator writes any. */
  readonly strip: ReadonlySet<string> | null;
}

export interface IdentityDeps extends AuthDeps {
  readonly metrics: Metrics;
  readonly stores: RateLimitStores;
}

export function compileIdentity(effective: EffectiveConfig, need: (name: string) => Upstream, previous: Identity | null, deps: IdentityDeps): Identity {
  const authenticators = new Map<string, BuiltAuthenticator>();
  for (const [name, e] of effective.auth) {
    const upstream = e.kind === 'forward' ? need(e.upstream) : null;
    const pool = upstream?.pool ?? null;
    const fingerprint = canonicalJson({ e, url: upstream?.url ?? null, key: e.kind === 'jwt' ? fileDigest(e.publicKey) : null });
    const kept = previous?.authenticators.get(name);
    const same = kept !== undefined && kept.fingerprint === fingerprint && kept.pool === pool;
    authenticators.set(name, same ? kept : { fingerprint, pool, authenticator: build(e, upstream, deps) });
  }
  for (const [name, old] of previous?.authenticators ?? []) {
    if (authenticators.get(name) !== old) old.authenticator.close();
  }
  const names = identityHeaders(effective.auth);
  return { authenticators, strip: names.length === 0 ? null : new Set(names) };
}

/** A public key file's content digest (a key replaced in place makes a new authenticator); null
 *  without a file or when it cannot be read (the authenticator reports that itself). */
function fileDigest(file: string | null): string | null {
  if (file === null) return null;
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return null;
  }
}

function build(e: EffectiveAuthenticator, upstream: Upstream | null, deps: AuthDeps): Authenticator {
  return e.kind === 'jwt' ? createJwtAuthenticator(e, deps) : createForwardAuthenticator(e, upstream!, deps);
}

/** A route's gate, or null for a route with neither auth nor rateLimit. */
export function routeGate(e: EffectiveRoute, label: string, identity: Identity, storeUrl: string | null, deps: IdentityDeps): RouteGate | null {
  if (e.auth === null && e.rateLimit === null) return null;
  const auth = (e.auth ?? []).map((name) => {
    const a = identity.authenticators.get(name);
    if (a === undefined) throw new Error(`unknown authenticator '${name}'`); // the validator checked every name
    return a.authenticator;
  });
  const limit = e.rateLimit === null ? null : { config: e.rateLimit, store: deps.stores.storeFor(storeUrl) };
  return new RouteGate(label, auth, limit, deps.metrics, e.key);
}

/** Stops every authenticator's timers and caches (shutdown). */
export function closeIdentity(identity: Identity): void {
  for (const a of identity.authenticators.values()) a.authenticator.close();
}
