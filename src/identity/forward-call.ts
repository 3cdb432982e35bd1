// One forward-auth subrequest: `GET <path>` to the auth upstream on its pool, with the client's
// credential headers and where the request was going, bounded in time and in answer size, read
// into a decision. The headers follow Traefik's ForwardAuth (X-Forwarded-Method, -Uri, -Host,
// -Proto, -For), so an auth endpoint written for Traefik works here unchanged.

import type { Dispatcher } from 'undici';
import type { Upstream } from '../forward/pools.js';
import type { EffectiveForwardAuth } from '../routing/types.js';
import type { AuthDecision, AuthRequest } from './types.js';
import type { AttemptSpan } from '../tracing/request-trace.js';

/** The largest answer body read from the auth upstream; more is an error. */
export const MAX_AUTH_ANSWER_BYTES = 64 * 1024;

/** Fields never passed on from an auth answer: hop-by-hop and framing (proxy-* too). */
const DROPPED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'te', 'trailer', 'upgrade']);

export interface CallOutcome {
  readonly decision: AuthDecision;
  /** Whether the decision may be kept for cacheMs: a 2xx, 401 or 403 (never a 3xx, a 5xx, an
   *  error or a timeout), and only without Set-Cookie or Cache-Control no-store or private: the
   *  cache is shared by every client sending the same credential headers (all anonymous clients
   *  alike), so such an answer is used for the request(s) of its own call only, never kept. */
  readonly cacheable: boolean;
}

/** The subrequest's headers: the listed credential headers the client sent (`sent`, in the
 *  order of e.headers, null when absent), then the forwarding ones and Host. */
export function subrequestHeaders(e: EffectiveForwardAuth, upstream: Upstream, req: AuthRequest, sent: readonly (string | null)[]): string[] {
  const h: string[] = [];
  e.headers.forEach((name, i) => {
    const v = sent[i];
    if (v !== null && v !== undefined) h.push(name, v);
  });
  h.push('x-forwarded-method', req.method, 'x-forwarded-uri', req.target);
  if (req.host !== null) h.push('x-forwarded-host', req.host);
  h.push('x-forwarded-proto', req.proto, 'x-forwarded-for', req.clientIp, 'x-request-id', req.requestId);
  h.push('host', upstream.host);
  return h;
}

/** Asks the auth upstream once. Never rejects. `signal` aborts the call (every client waiting on
 *  it left, or the authenticator was closed). */
export async function callAuthUpstream(e: EffectiveForwardAuth, upstream: Upstream, headers: string[], signal: AbortSignal, span: AttemptSpan | null = null): Promise<CallOutcome> {
  const where = `auth upstream '${upstream.name}' (GET ${e.path})`;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, e.timeoutMs);
  const onAbort = (): void => controller.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    // undici's Request reads `servername` from the options (https upstreams); its types omit it.
    const opts: Dispatcher.RequestOptions & { servername?: string | undefined } = { path: e.path, method: 'GET', headers, signal: controller.signal, headersTimeout: e.timeoutMs, bodyTimeout: e.timeoutMs, servername: upstream.servername };
    const res = await upstream.pool.request(opts);
    const status = res.statusCode;
    span?.head(status);
    if (status >= 200 && status < 300) {
      await res.body.dump();
      return { decision: allow(e, res.headers), cacheable: shareable(res.headers) };
    }
    if (status === 401 || status === 403 || (status >= 300 && status < 400)) {
      const body = await readLimited(res.body);
      if (body === null) return failed(`${where} answered ${status} with a body over ${MAX_AUTH_ANSWER_BYTES} bytes`);
      const decision: AuthDecision = { kind: 'answer', status, headers: passedOn(res.headers), body, reason: `${where} answered ${status}` };
      return { decision, cacheable: (status === 401 || status === 403) && shareable(res.headers) };
    }
    await res.body.dump().catch(() => {});
    return failed(`${where} answered ${status}`);
  } catch (err) {
    span?.failed(timedOut ? 'timeout' : signal.aborted ? 'cancelled' : (err as { code?: string }).code === 'ECONNREFUSED' ? 'connect-error' : 'reset', (err as Error).message);
    if (timedOut || (err as { code?: string }).code === 'UND_ERR_HEADERS_TIMEOUT' || (err as { code?: string }).code === 'UND_ERR_BODY_TIMEOUT') {
      return failed(`${where} did not answer within ${e.timeoutMs} ms`);
    }
    if (signal.aborted) return failed(`${where}: the call was abandoned (the client left)`);
    const code = (err as { code?: string }).code;
    return failed(`${where} could not be reached (${code ?? (err as Error).message})`);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    span?.end();
  }
}

function failed(reason: string): CallOutcome {
  return { decision: { kind: 'error', reason }, cacheable: false };
}

type AnswerHeaders = Record<string, string | string[] | undefined>;

/** Whether an answer may be replayed to other clients: no Set-Cookie, and no `no-store` or
 *  `private` directive (with or without a field list) in Cache-Control. */
function shareable(answer: AnswerHeaders): boolean {
  if (answer['set-cookie'] !== undefined) return false;
  const cc = answer['cache-control'];
  for (const v of Array.isArray(cc) ? cc : cc === undefined ? [] : [cc]) {
    for (const directive of v.split(',')) {
      const name = directive.split('=')[0]!.trim().toLowerCase();
      if (name === 'no-store' || name === 'private') return false;
    }
  }
  return true;
}

/** A 2xx: only the copyHeaders present in the answer become request headers and claims. */
function allow(e: EffectiveForwardAuth, answer: AnswerHeaders): AuthDecision {
  const headers: [string, string][] = [];
  const claims: Record<string, string> = {};
  for (const name of e.copyHeaders) {
    const v = answer[name];
    if (v === undefined) continue;
    const value = Array.isArray(v) ? v.join(', ') : v;
    headers.push([name, value]);
    claims[name] = value;
  }
  return { kind: 'allow', headers, claims };
}

/** An answer's headers as flat pairs, without hop-by-hop and framing fields (nor those its
 *  Connection header names). */
function passedOn(answer: AnswerHeaders): string[] {
  const named = new Set<string>();
  const conn = answer.connection;
  for (const v of Array.isArray(conn) ? conn : conn === undefined ? [] : [conn]) {
    for (const n of v.split(',')) named.add(n.trim().toLowerCase());
  }
  const out: string[] = [];
  for (const [name, v] of Object.entries(answer)) {
    const lower = name.toLowerCase();
    if (v === undefined || DROPPED.has(lower) || lower.startsWith('proxy-') || named.has(lower)) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.push(lower, one);
  }
  return out;
}

/** The whole body, or null past MAX_AUTH_ANSWER_BYTES (the rest is dropped with the socket). */
async function readLimited(body: AsyncIterable<Buffer> & { destroy(err?: Error): unknown }): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_AUTH_ANSWER_BYTES) {
      body.destroy();
      return null;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}
