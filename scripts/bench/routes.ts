// The route table every proxy target gets (strangler, nginx, express, fastify), so they all do
// the same routing work: 6 prefixes over 2 upstream names that both point at the bench upstream.
// The measured path sits on a nested route with a prefix rewrite: /api/users/<size> -> /users/<size>.

export type UpstreamName = 'legacy' | 'users';

export interface BenchRoute {
  readonly prefix: string;
  readonly upstream: UpstreamName;
  readonly rewrite?: string;       // replaces the matched prefix
}

/** Longest prefix first (express matches in registration order). */
export const BENCH_ROUTES: readonly BenchRoute[] = [
  { prefix: '/api/users/admin', upstream: 'legacy', rewrite: '/admin/users' },
  { prefix: '/api/catalog', upstream: 'users', rewrite: '/catalog' },
  { prefix: '/api/orders', upstream: 'legacy' },
  { prefix: '/api/users', upstream: 'users', rewrite: '/users' },   // the measured route
  { prefix: '/static', upstream: 'legacy' },
  { prefix: '/', upstream: 'legacy' },
];

export const MEASURED_PREFIX = '/api/users';

export interface Scenario {
  readonly name: string;           // 'small' | 'large' today; the upstream answers by last segment
  readonly path: string;           // requested from every target
  readonly bodyBytes: number;
}

export const SMALL_BYTES = 200;
export const LARGE_BYTES = 64 * 1024;

export const SCENARIOS: readonly Scenario[] = [
  { name: 'small', path: `${MEASURED_PREFIX}/small`, bodyBytes: SMALL_BYTES },
  { name: 'large', path: `${MEASURED_PREFIX}/large`, bodyBytes: LARGE_BYTES },
];
