// A response head as node:http2 will write it (pure). An upstream may send what HTTP/1.1 allows
// but Node's HTTP/2 refuses with a throw (lib/internal/http2/util.js): a second value of a field
// it takes once (ERR_HTTP2_HEADER_SINGLE_VALUE), or a connection-specific field (RFC 9113 8.2.2,
// ERR_HTTP2_INVALID_CONNECTION_HEADERS). The HTTP/1.1 client gets that response; so does the
// HTTP/2 one, with the first value of each such field and without the connection-specific ones.

/** Fields node:http2 accepts once per head (its kSingleValueHeaders, response-relevant or not). */
const SINGLE_VALUE = new Set([
  'access-control-allow-credentials', 'access-control-max-age', 'access-control-request-method',
  'age', 'authorization', 'content-encoding', 'content-language', 'content-length',
  'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'dnt', 'etag',
  'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range',
  'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization',
  'range', 'referer', 'retry-after', 'tk', 'upgrade-insecure-requests', 'user-agent',
  'x-content-type-options',
]);

/** Fields HTTP/2 forbids (RFC 9113 8.2.2; Node's list), `te` unless it says `trailers`. */
function connectionSpecific(lower: string, value: string): boolean {
  switch (lower) {
    case 'connection':
    case 'keep-alive':
    case 'proxy-connection':
    case 'transfer-encoding':
    case 'upgrade':
    case 'http2-settings':
      return true;
    case 'te':
      return value !== 'trailers';
    default:
      return false;
  }
}

/** `headers` ([name, value, ...]) as node:http2 will write them, as one object: lower-case names,
 *  a repeated field's values in an array. An ordinary object, not a prototype-less one: V8 keeps
 *  those as dictionaries, and node:http2 copies and walks the object (for...in) on every response
 *  (measured: about 2 us of CPU per response less this way). So an own-property check, and
 *  `__proto__` defined rather than assigned. */
export function h2ResponseHeaderObject(headers: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < headers.length; i += 2) {
    const lower = headers[i]!.toLowerCase();
    const value = headers[i + 1]!;
    if (connectionSpecific(lower, value)) continue;
    const had = Object.hasOwn(out, lower) ? out[lower]! : undefined;
    if (had === undefined) {
      if (lower === '__proto__') Object.defineProperty(out, lower, { value, enumerable: true, writable: true, configurable: true });
      else out[lower] = value;
    } else if (!SINGLE_VALUE.has(lower)) {
      if (typeof had === 'string') out[lower] = [had, value];
      else had.push(value);
    }
  }
  return out;
}
