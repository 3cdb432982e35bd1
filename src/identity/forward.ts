// STUB (issue 13): the forward authenticator. Replaced by the real one.

import type { Upstream } from '../forward/pools.js';
import type { EffectiveForwardAuth } from '../routing/types.js';
import type { AuthDeps } from './jwt.js';
import type { Authenticator } from './types.js';

export function createForwardAuthenticator(e: EffectiveForwardAuth, _upstream: Upstream, _deps: AuthDeps): Authenticator {
  return {
    name: e.name,
    writes: e.copyHeaders,
    decide: () => Promise.resolve({ kind: 'error', reason: 'not built yet' }),
    close: () => {},
  };
}
