// STUB (issue 13): the jwt authenticator, with jose. Replaced by the real one.

import type { Logger } from '../observability/logger.js';
import type { EffectiveJwt } from '../routing/types.js';
import type { Clock } from '../util/clock.js';
import type { Authenticator } from './types.js';

export interface AuthDeps {
  readonly logger: Logger;
  readonly clock?: Clock;
}

export function createJwtAuthenticator(e: EffectiveJwt, _deps: AuthDeps): Authenticator {
  return {
    name: e.name,
    writes: e.claimsToHeaders.map(([, h]) => h),
    decide: () => Promise.resolve({ kind: 'error', reason: 'not built yet' }),
    close: () => {},
  };
}
