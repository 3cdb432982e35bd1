// A curl command that replays a request, for the mismatch samples of the shadow report.
// Pure. The command is one line, every argument shell-quoted (single quotes; a quote inside
// becomes '\''), so it pastes safely into sh, bash or zsh.
//
// Secrets: the values of Authorization, Proxy-Authorization, Cookie and X-Api-Key (plus any
// names in `redact`) become `<redacted>`: `-H 'Authorization: <redacted>'`. The URL is kept as
// given (credentials in a URL are the caller's to strip).
//
// Left out: headers curl computes or that only make sense on one connection (Content-Length,
// Transfer-Encoding, Connection, Keep-Alive, TE, Trailer, Upgrade, Expect, Proxy-Connection).
// HEAD uses --head (curl -X HEAD waits for a body); GET without a body has no -X. A URL with
// [ ] { } gets --globoff. A body that is text (UTF-8, no NUL) of at most `maxBodyBytes`
// (default 64 KiB) is passed with --data-raw (never read as @file); any other body is left
// out and a trailing shell comment says so (`# body omitted: 2,048 bytes, binary`). Header
// names that are not HTTP tokens are left out; CR/LF in values become spaces. Several values
// of one redacted header make one redacted line.

import { isTextBody } from './bytes.js';
import { groupDigits } from './format.js';

export type CurlHeaders =
  | Readonly<Record<string, string | number | readonly string[] | undefined>>
  | readonly (readonly [string, string])[];

export interface CurlOptions {
  /** More header names (any case) whose values are redacted. */
  readonly redact?: readonly string[];
  /** Largest body written into the command. Default 65536. */
  readonly maxBodyBytes?: number;
}

export const REDACTED = '<redacted>';
export const DEFAULT_REDACTED_HEADERS: readonly string[] = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key'];
const LEFT_OUT = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'proxy-connection',
]);

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const SAFE = /^[A-Za-z0-9_\-.,:/@%+=]+$/;

/** One shell word: bare when it only has safe characters, else single-quoted. */
export function shellQuote(s: string): string {
  if (s !== '' && SAFE.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function headerPairs(headers: CurlHeaders): [string, string][] {
  if (Array.isArray(headers)) return (headers as readonly (readonly [string, string])[]).map(([k, v]) => [k, v]);
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(headers as Record<string, string | number | readonly string[] | undefined>)) {
    if (v === undefined) continue;
    if (typeof v === 'string' || typeof v === 'number') out.push([k, String(v)]);
    else for (const one of v) out.push([k, one]);
  }
  return out;
}

export function curlFor(
  method: string,
  url: string,
  headers: CurlHeaders,
  body?: Buffer | string,
  options: CurlOptions = {},
): string {
  const redact = new Set([...DEFAULT_REDACTED_HEADERS, ...(options.redact ?? []).map((h) => h.toLowerCase())]);
  const maxBody = options.maxBodyBytes ?? 65_536;
  const m = method.toUpperCase();
  const bytes = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const hasBody = bytes !== undefined && bytes.length > 0;

  const args: string[] = ['curl'];
  if (m === 'HEAD') args.push('--head');
  else if (m !== 'GET' || hasBody) args.push('-X', shellQuote(m));
  if (/[[\]{}]/.test(url)) args.push('--globoff');
  args.push(shellQuote(url));

  const redactedDone = new Set<string>();
  for (const [name, value] of headerPairs(headers)) {
    const lower = name.toLowerCase();
    if (LEFT_OUT.has(lower) || !TOKEN.test(name)) continue;
    if (redact.has(lower)) {
      if (redactedDone.has(lower)) continue; // several cookies: one line says there were some
      redactedDone.add(lower);
      args.push('-H', shellQuote(`${name}: ${REDACTED}`));
    } else {
      // curl sends an empty header only when written `Name;`.
      const v = value.replace(/[\r\n]+/g, ' ');
      args.push('-H', shellQuote(v === '' ? `${name};` : `${name}: ${v}`));
    }
  }

  let comment = '';
  if (hasBody) {
    if (bytes.length <= maxBody && isTextBody(bytes)) args.push('--data-raw', shellQuote(bytes.toString('utf8')));
    else comment = ` # body omitted: ${groupDigits(bytes.length)} bytes, ${isTextBody(bytes) ? 'too large' : 'binary'}`;
  }
  return args.join(' ') + comment;
}
