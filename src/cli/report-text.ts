// Text helpers of `strangler report` and `status`: what came from traffic made safe for a terminal,
// cut to fit; a failed admin fetch in words. Pure.

import { groupDigits } from '../shadow/format.js';

/** Control characters (C0, DEL, C1) and bidi overrides escaped: text from traffic cannot drive the terminal. */
export function safe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

export function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ');
}

/** At most `n` characters, the cut ones replaced by "…". */
export function clip(s: string, n: number): string {
  if (n <= 0) return '';
  return s.length <= n ? s : s.slice(0, Math.max(0, n - 1)) + '…';
}

/** A failed fetch in words: its cause's code or message (`fetch failed (ECONNREFUSED)`), or the
 *  wait it gave up on. */
export function describeFetchError(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return `no answer within ${groupDigits(timeoutMs)} ms`;
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e.message} (${cause})` : String(e?.message ?? err);
}

/** An admin request that got no answer, in words: the wait it gave up on, or `cannot connect: `
 *  and why; a refused connection (nothing listens there) says what to try. */
export function fetchFailure(err: unknown, timeoutMs: number): string {
  const e = err as { name?: unknown; code?: unknown; cause?: { code?: unknown } } | null;
  if (e?.name === 'TimeoutError') return describeFetchError(err, timeoutMs);
  const refused = (e?.cause?.code ?? e?.code) === 'ECONNREFUSED';
  return `cannot connect: ${describeFetchError(err, timeoutMs)}${refused ? '; nothing listens there: is the proxy running, and is that its admin address? (--admin URL or ADMIN_PORT names another)' : ''}`;
}
