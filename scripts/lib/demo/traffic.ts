// npm run traffic: a bounded, realistic mix of requests through the demo's proxy, so the shadow
// compare of /orders has something to report. Exactly `requests` requests, `concurrency` at a
// time, then a summary and where to read the report. Loopback only: it refuses any other host.
// The mix (MIX below, per 40 requests) is shuffled with a seeded generator: a run is reproducible.
import { parseArgs } from 'node:util';
import { seededRandom } from '../seeded-random.js';
import { countInto } from '../stats.js';

/** admin: only named in the summary, never called; timeoutMs: per request, until its whole response is read. */
export interface TrafficOptions {
  url: URL;
  admin: URL;
  requests: number;
  concurrency: number;
  seed: number;
  timeoutMs: number;
}

export const TRAFFIC_USAGE = `usage: npm run traffic [-- options]      (node dist/scripts/traffic.js [options])
  --url URL           the proxy (default http://localhost:$PORT, 8080 when unset); loopback addresses only
  --admin URL         the proxy's admin port, for the report's address (default http://127.0.0.1:$ADMIN_PORT, 9901)
  --requests N        how many requests in all (default 500); then it stops
  --concurrency C     requests in flight at once (default 8)
  --seed S            the mix is shuffled with this seed (default 1): the same seed, the same run
  --timeout-ms MS     per request (default 10000)
  -h, --help`;

export const TRAFFIC_DEFAULTS = { url: 'http://localhost:8080', admin: 'http://127.0.0.1:9901', requests: 500, concurrency: 8, seed: 1, timeoutMs: 10_000 } as const;

/** `--url` and `--admin` default to the ports the demo was moved to (PORT, ADMIN_PORT), as \`npm start\` reads them. */
export function parseTrafficArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): TrafficOptions | 'help' {
  const { values, positionals } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      url: { type: 'string' }, admin: { type: 'string' }, requests: { type: 'string' }, concurrency: { type: 'string' }, seed: { type: 'string' },
      'timeout-ms': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length > 0) throw new Error(`unexpected argument '${positionals[0]}'`);
  return {
    url: loopbackOrigin('--url', values.url ?? (env.PORT ? `http://localhost:${env.PORT}` : TRAFFIC_DEFAULTS.url)),
    admin: loopbackOrigin('--admin', values.admin ?? (env.ADMIN_PORT ? `http://127.0.0.1:${env.ADMIN_PORT}` : TRAFFIC_DEFAULTS.admin)),
    requests: integer('--requests', values.requests, TRAFFIC_DEFAULTS.requests, 1, 1_000_000),
    concurrency: integer('--concurrency', values.concurrency, TRAFFIC_DEFAULTS.concurrency, 1, 256),
    seed: integer('--seed', values.seed, TRAFFIC_DEFAULTS.seed, 0, 2 ** 32 - 1),
    timeoutMs: integer('--timeout-ms', values['timeout-ms'], TRAFFIC_DEFAULTS.timeoutMs, 1, 600_000),
  };
}

function integer(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new Error(`${flag} must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return n;
}

/** An http(s) URL on this machine (localhost, 127.0.0.0/8, ::1), reduced to its origin. */
export function loopbackOrigin(flag: string, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${flag} must be a URL like http://localhost:8080, got '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${flag} must be http or https, got '${raw}'`);
  if (!isLoopbackHost(url.hostname)) {
    throw new Error(`${flag}: traffic is only sent to this machine (localhost, 127.x.x.x or [::1]), not to ${url.hostname}`);
  }
  return new URL(url.origin);
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

// --- the plan -------------------------------------------------------------------------------

/** kind, e.g. "GET /orders/:id (missing)"; mirrored: GET or HEAD under
 *  /orders, what the demo's routes.yaml mirrors to the orders service. */
export interface PlannedRequest {
  kind: string;
  method: string;
  path: string;
  body?: string;
  mirrored: boolean;
}

type Maker = (pick: <T>(choices: readonly T[]) => T, missingId: () => number) => Omit<PlannedRequest, 'kind' | 'mirrored'>;

const SEEDED_ORDERS = [1, 2, 3, 4];
const SEEDED_USERS = [1, 2, 3];
const SEEDED_PAYMENTS = [1, 2, 3];
const PRODUCTS = ['Difference Engine gears', 'Punched cards (box of 500)', 'Relay (spare)', 'Magnetic core memory'];

const MIX: ReadonlyArray<readonly [kind: string, perForty: number, make: Maker]> = [
  ['GET /orders', 6, () => ({ method: 'GET', path: '/orders' })],
  ['HEAD /orders', 1, () => ({ method: 'HEAD', path: '/orders' })],
  ['GET /orders/:id', 9, (pick) => ({ method: 'GET', path: `/orders/${pick(SEEDED_ORDERS)}` })],
  ['GET /orders/:id (missing)', 2, (_, missingId) => ({ method: 'GET', path: `/orders/${missingId()}` })],
  ['GET /orders?userId=N', 5, (pick) => ({ method: 'GET', path: `/orders?userId=${pick(SEEDED_USERS)}` })],
  // a write: not in shadow.methods, so the orders service never sees it
  ['POST /orders', 1, (pick) => ({ method: 'POST', path: '/orders', body: JSON.stringify({ userId: pick(SEEDED_USERS), product: pick(PRODUCTS), quantity: pick([1, 2, 5]) }) })],
  ['GET /users', 2, () => ({ method: 'GET', path: '/users' })],
  ['GET /users/:id', 4, (pick) => ({ method: 'GET', path: `/users/${pick(SEEDED_USERS)}` })],
  ['GET /users/:id/details', 2, (pick) => ({ method: 'GET', path: `/users/${pick(SEEDED_USERS)}/details` })],
  ['GET /payments', 2, () => ({ method: 'GET', path: '/payments' })],
  ['GET /payments/:id', 4, (pick) => ({ method: 'GET', path: `/payments/${pick(SEEDED_PAYMENTS)}` })],
  ['GET / (dashboard)', 2, () => ({ method: 'GET', path: '/' })],
];

function isMirrored(method: string, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && /^\/orders(?:[/?]|$)/.test(path);
}

/** `count` requests: every block of 40 holds the whole mix, shuffled; the last one cut short. Deterministic for a seed. */
export function planTraffic(count: number, seed: number): PlannedRequest[] {
  const random = seededRandom(seed);
  const pick = <T>(choices: readonly T[]): T => choices[Math.floor(random() * choices.length)]!;
  const missingId = () => 9000 + Math.floor(random() * 1000);
  const deck = MIX.flatMap(([kind, times, make]) => Array.from({ length: times }, () => ({ kind, make })));
  const plan: PlannedRequest[] = [];
  while (plan.length < count) {
    const block = [...deck];
    for (let i = block.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [block[i], block[j]] = [block[j]!, block[i]!];
    }
    for (const { kind, make } of block.slice(0, count - plan.length)) {
      const request = make(pick, missingId);
      plan.push({ kind, ...request, mirrored: isMirrored(request.method, request.path) });
    }
  }
  return plan;
}

// --- sending --------------------------------------------------------------------------------

/** byStatus: response status ("200") or failure ("ECONNREFUSED", "timeout") -> count; failed: no
 *  response; notSent and refused: the run stopped early because nothing listens at the URL. */
export interface TrafficSummary {
  sent: number;
  notSent: number;
  byStatus: Map<string, number>;
  mirrored: number;
  failed: number;
  refused?: string;
  durationMs: number;
}

/** Sends the planned requests, `concurrency` at a time, and counts the answers. */
export async function sendTraffic(opts: TrafficOptions): Promise<TrafficSummary> {
  const plan = planTraffic(opts.requests, opts.seed);
  const summary: TrafficSummary = { sent: 0, notSent: 0, byStatus: new Map(), mirrored: 0, failed: 0, durationMs: 0 };
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    // Nothing listening: each further request would fail the same way; stop sending.
    while (next < plan.length && summary.refused === undefined) {
      const request = plan[next++]!;
      const outcome = await send(opts, request);
      summary.sent++;
      countInto(summary.byStatus, outcome);
      if (request.mirrored) summary.mirrored++;
      if (!/^\d{3}$/.test(outcome)) {
        summary.failed++;
        if (outcome === 'ECONNREFUSED') summary.refused = outcome;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, plan.length) }, worker));
  summary.notSent = plan.length - summary.sent;
  summary.durationMs = performance.now() - started;
  return summary;
}

/** The response status as text, or why there was none. The body is read to the end. */
async function send(opts: TrafficOptions, request: PlannedRequest): Promise<string> {
  try {
    const response = await fetch(new URL(request.path, opts.url), {
      method: request.method,
      headers: {
        'user-agent': 'strangler-demo-traffic',
        accept: request.path === '/' ? 'text/html' : 'application/json',
        ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    await response.arrayBuffer();
    return String(response.status);
  } catch (err) {
    return failureName(err);
  }
}

function failureName(err: unknown): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  if (e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError') return 'timeout';
  return e.cause?.code ?? e.code ?? e.name ?? 'error';
}

// --- the summary ----------------------------------------------------------------------------

export function describeTraffic(s: TrafficSummary, opts: TrafficOptions): string {
  const url = opts.url.origin;
  const admin = opts.admin.origin;
  const adminShort = admin.replace(/^http:\/\//, '').replace(/^127\.0\.0\.1:/, 'localhost:');
  const statuses = [...s.byStatus.entries()].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
  const lines = [
    `sent ${s.sent} requests to ${url} in ${(s.durationMs / 1000).toFixed(1)} s (concurrency ${opts.concurrency}, seed ${opts.seed})`,
    `  by status: ${statuses.map(([status, n]) => `${status} x${n}`).join(', ') || 'none'}`,
    `  ${s.mirrored} of them (GET and HEAD under /orders) are mirrored to the orders service by the demo's routes.yaml;`,
    '  the POSTs are not: writes are not in shadow.methods.',
  ];
  if (s.refused !== undefined) {
    lines.push(
      '',
      `nothing listens at ${url} (${s.refused}); stopped after ${s.sent} request${s.sent === 1 ? '' : 's'}, ${s.notSent} not sent.`,
      'Start the demo first (npm start), or name the proxy with --url.',
    );
    return `${lines.join('\n')}\n`;
  }
  if (s.failed > 0) lines.push(`  ${s.failed} got no response (see "by status").`);
  const reportFlag = admin === TRAFFIC_DEFAULTS.admin ? '' : ` --admin ${admin}`;
  const where = [
    [`open ${admin}/`, 'the dashboard (click /orders, then a mismatch)'],
    [`open ${admin}/shadow`, 'the page'],
    [`curl ${adminShort}/shadow/report`, 'the JSON'],
    [`npx strangler report${reportFlag}`, 'in the terminal'],
  ] as const;
  const column = Math.max(...where.map(([command]) => command.length)) + 2;
  lines.push(
    '',
    'Read the shadow report (each comparison ends a moment after its response):',
    ...where.map(([command, note]) => `  ${command.padEnd(column)}# ${note}`),
  );
  return `${lines.join('\n')}\n`;
}
