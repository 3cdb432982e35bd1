// Recorded headers (recordformat: `headers`): lower-case names, a string or an array for a
// repeated field, hop-by-hop fields left out, the values of `redact` names replaced by
// "<redacted>". HTTP/2 pseudo-headers are left out, but for `:authority`, recorded as `host`
// when there is no Host field. Pure.

import { REDACTED_VALUE } from './redact-json.js';

export type HeaderField = Record<string, string | string[]>;

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'trailer', 'http2-settings']);

/** `raw`: [name, value, ...] as Node gives them (strings for a request, Buffers for undici's answer). */
export function headerField(raw: readonly (string | Buffer)[], redact: ReadonlySet<string>): HeaderField {
  const out: HeaderField = {};
  let authority: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase();
    if (name.startsWith(':')) {
      if (name === ':authority') authority = raw[i + 1]!.toString('latin1');
      continue;
    }
    if (HOP_BY_HOP.has(name) || name.startsWith('proxy-')) continue;
    const value = redact.has(name) ? REDACTED_VALUE : raw[i + 1]!.toString('latin1');
    const had = out[name];
    if (had === undefined) out[name] = value;
    else if (typeof had === 'string') out[name] = [had, value];
    else had.push(value);
  }
  if (authority !== undefined && out['host'] === undefined) out['host'] = authority;
  return out;
}

/** The first value of `name` (lower case) in a recorded header field, for the body's type. */
export function firstValue(h: HeaderField, name: string): string | undefined {
  const v = h[name];
  return typeof v === 'string' ? v : v?.[0];
}
