// The rows of the bench, in table order. Add a row here (e.g. strangler with retry + breaker,
// strangler with shadow at 100%) without touching the runner.
import { bareTarget, directTarget, expressTarget, fastifyTarget } from './node-targets.js';
import { nginxTarget } from './nginx-target.js';
import { stranglerTarget } from './strangler-target.js';
import type { Target } from './target.js';

export const STRANGLER_KEY = 'strangler';
export const NGINX_KEY = 'nginx';
export const FASTIFY_KEY = 'fastify';

export const TARGETS: readonly Target[] = [
  directTarget,
  bareTarget,
  stranglerTarget({ key: STRANGLER_KEY, name: 'strangler' }),
  // The same route with timeout + retry + breaker configured (no failures happen): the cost of
  // the resilient path itself (issue bar: within 10% of the row above).
  stranglerTarget({
    key: 'strangler-policies',
    name: 'strangler + retry/breaker',
    config: {
      measuredRoute: {
        timeoutMs: 2000,
        retry: { attempts: 3, backoffMs: 25, maxBackoffMs: 250, on: ['connect-error', 'reset', 'timeout', 502, 503, 504] },
        breaker: { consecutiveFailures: 5, halfOpenAfterMs: 10000 },
      },
    },
  }),
  nginxTarget,
  expressTarget,
  fastifyTarget,
];
