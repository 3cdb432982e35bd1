// The fuzz oracle's strict HTTP/1.1 response reader: status line, header fields (token names, no
// CTL but HTAB in values, no obs-fold, CRLF only), framing by chunked or one Content-Length (never
// both), no body for HEAD, 1xx, 204 and 304, else a body to the close. A response it cannot read
// is malformed; so are bytes after a `Connection: close` response and a close inside a response.

export type Parsed =
  | { readonly kind: 'response'; readonly status: number; readonly end: number; readonly close: boolean }
  | { readonly kind: 'more' }
  | { readonly kind: 'malformed'; readonly why: string };

const STATUS_LINE = /^HTTP\/1\.[01] ([1-9]\d\d) [\t\x20-\x7e\x80-\xff]*$/;
const FIELD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e\x80-\xff]*$/;
const CHUNK_SIZE = /^([0-9a-fA-F]{1,15})(?:[\t ]*;[\t\x20-\x7e]*)?$/;
const CRLF = Buffer.from('\r\n');
const more = { kind: 'more' } as const;
const bad = (why: string): Parsed => ({ kind: 'malformed', why });

/** One response (1xx included) from `off`; `closed`: no more bytes will come. */
export function parseResponse(buf: Buffer, off: number, isHead: boolean, closed: boolean): Parsed {
  const headEnd = buf.indexOf('\r\n\r\n', off, 'latin1');
  if (headEnd < 0) {
    if (buf.length - off > 65_536) return bad('a response head over 64 KiB');
    return closed ? bad(`the connection closed inside a response head: ${JSON.stringify(buf.toString('latin1', off, off + 200))}`) : more;
  }
  const lines = buf.toString('latin1', off, headEnd).split('\r\n');
  const status = STATUS_LINE.exec(lines[0]!);
  if (status === null) return bad(`status line ${JSON.stringify(lines[0]!.slice(0, 200))}`);
  const code = Number(status[1]);
  const fields = new Map<string, string[]>();
  for (const line of lines.slice(1)) {
    if (!FIELD.test(line)) return bad(`header line ${JSON.stringify(line.slice(0, 200))}`);
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    fields.set(name, [...(fields.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  const close = (fields.get('connection') ?? []).some((v) => /(^|,)\s*close\s*(,|$)/i.test(v));
  let at = headEnd + 4;
  const te = fields.get('transfer-encoding');
  const cl = fields.get('content-length');
  if (te !== undefined && cl !== undefined) return bad('both Transfer-Encoding and Content-Length');
  // A head the parser refused (HPE_*) is not known to be HEAD: its closing error may carry a body.
  if (isHead && close && cl?.length === 1 && (code === 400 || code === 431)) {
    if (!closed) return more;
    if (buf.length - at === Number(cl[0]) && /HPE_|headers_too_large/.test(buf.toString('latin1', at))) at = buf.length;
  }
  if (code < 200 || code === 204 || code === 304 || isHead) {
    if (te !== undefined && (code < 200 || code === 204)) return bad(`Transfer-Encoding on a ${code}`);
    return { kind: 'response', status: code, end: at, close };
  }
  if (te !== undefined) {
    if (te.length !== 1 || te[0]!.toLowerCase() !== 'chunked') return bad(`Transfer-Encoding ${JSON.stringify(te)}`);
    for (;;) {
      const lineEnd = buf.indexOf(CRLF, at);
      if (lineEnd < 0) return closed ? bad('the connection closed inside a chunked body') : more;
      const m = CHUNK_SIZE.exec(buf.toString('latin1', at, lineEnd));
      if (m === null) return bad(`chunk size line ${JSON.stringify(buf.toString('latin1', at, Math.min(lineEnd, at + 100)))}`);
      const size = parseInt(m[1]!, 16);
      at = lineEnd + 2;
      if (size === 0) break;
      if (buf.length < at + size + 2) return closed ? bad('the connection closed inside a chunk') : more;
      if (buf[at + size] !== 0x0d || buf[at + size + 1] !== 0x0a) return bad('a chunk not followed by CRLF');
      at += size + 2;
    }
    for (;;) { // trailer fields, then the empty line
      const lineEnd = buf.indexOf(CRLF, at);
      if (lineEnd < 0) return closed ? bad('the connection closed inside the trailers') : more;
      const line = buf.toString('latin1', at, lineEnd);
      at = lineEnd + 2;
      if (line === '') return { kind: 'response', status: code, end: at, close };
      if (!FIELD.test(line)) return bad(`trailer line ${JSON.stringify(line.slice(0, 200))}`);
    }
  }
  if (cl !== undefined) {
    const values = new Set(cl.flatMap((v) => v.split(',').map((x) => x.trim())));
    const [only] = values;
    if (values.size !== 1 || !/^\d{1,15}$/.test(only!)) return bad(`Content-Length ${JSON.stringify(cl)}`);
    const n = Number(only);
    if (buf.length < at + n) return closed ? bad(`the connection closed ${at + n - buf.length} bytes short of Content-Length ${n}`) : more;
    return { kind: 'response', status: code, end: at + n, close };
  }
  // Neither: the body runs to the close.
  return closed ? { kind: 'response', status: code, end: buf.length, close: true } : more;
}
