// Sends one recorded request to the candidate through an undici Pool and collects its answer
// (bounded, decoded like the shadow's), or says why there is none (`timeout`, `connect_refused`,
// `too_large`...). The request: the recorded method, path and body, the recorded headers but
// hop-by-hop ones, content-length, expect (undici refuses it; curl sends `Expect: 100-continue`
// with bodies over 1 KB), values the recorder redacted and (unless the target is another
// proxy, `--client-path`) host; then every `--header`, which replaces a recorded header of the
// same name.

import { performance } from 'node:perf_hooks';
import type { Pool } from 'undici';
import { isHopByHop } from '../forward/headers.js';
import { BodyCollector, decodeBody } from '../shadow/body.js';
import type { Captured } from '../shadow/diff.js';
import { REDACTED } from '../shadow/curl.js';
import { isValidator } from '../shadow/event.js';
import type { HeaderValues } from './exchange.js';
import { MAX_BODY_BYTES, withoutEncoding } from './recorded.js';

export interface OutgoingRequest {
  readonly method: string;
  /** Path with query, the target's base path already in front. */
  readonly path: string;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer | null;
}

export type Answer = { readonly ok: true; readonly captured: Captured; readonly ms: number } | { readonly ok: false; readonly reason: string; readonly result: 'shadow_error' | 'skipped' };

/** The headers to send: the recorded ones as the rules above say, then the extra ones. */
export function outgoingHeaders(recorded: HeaderValues, extra: readonly (readonly [string, string])[], keepHost: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, v] of Object.entries(recorded)) {
    const lower = name.toLowerCase();
    // (Without validators, as the shadow's copy: the candidate's full answer is compared.)
    if (isHopByHop(lower) || lower === 'content-length' || lower === 'expect' || (lower === 'host' && !keepHost) || isValidator(lower)) continue;
    const values = (typeof v === 'string' ? [v] : v).filter((one) => one !== REDACTED);
    if (values.length === 0) continue;
    out[lower] = values.length === 1 ? values[0]! : values;
  }
  for (const [name] of extra) delete out[name.toLowerCase()];
  for (const [name, value] of extra) {
    const lower = name.toLowerCase();
    const had = out[lower];
    out[lower] = had === undefined ? value : [...(typeof had === 'string' ? [had] : had), value];
  }
  return out;
}

function failureReason(err: unknown): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || e?.code === 'UND_ERR_HEADERS_TIMEOUT' || e?.code === 'UND_ERR_BODY_TIMEOUT') return 'timeout';
  const code = e?.code ?? e?.cause?.code;
  if (code === 'ECONNREFUSED') return 'connect_refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'reset';
  return typeof code === 'string' ? code.toLowerCase() : 'error';
}

export async function sendRecorded(pool: Pool, req: OutgoingRequest, timeoutMs: number): Promise<Answer> {
  const started = performance.now();
  try {
    const res = await pool.request({
      method: req.method,
      path: req.path,
      headers: req.headers,
      body: req.body === null || req.body.length === 0 ? null : req.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const collected = new BodyCollector(MAX_BODY_BYTES);
    for await (const chunk of res.body) collected.add(chunk as Buffer);
    const ms = performance.now() - started;
    if (collected.over) return { ok: false, reason: 'too_large', result: 'skipped' };
    const headers = res.headers as Record<string, string | string[] | undefined>;
    const encoding = headers['content-encoding'];
    const body = decodeBody(collected.body, typeof encoding === 'string' ? encoding : encoding?.join(', '), MAX_BODY_BYTES);
    if (body === 'too_large') return { ok: false, reason: 'too_large', result: 'skipped' };
    if (body === 'undecodable') return { ok: false, reason: 'undecodable', result: 'shadow_error' };
    return { ok: true, captured: { status: res.statusCode, headers: withoutEncoding(headers), body }, ms };
  } catch (err) {
    return { ok: false, reason: failureReason(err), result: 'shadow_error' };
  }
}
