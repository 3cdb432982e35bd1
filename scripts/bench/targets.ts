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
  nginxTarget,
  expressTarget,
  fastifyTarget,
];
