// An OTLP/HTTP trace receiver for the tests: POST /v1/traces in JSON or protobuf, spans collected
// in one normalised shape. Protobuf is read with @opentelemetry/otlp-transformer's own wire reader
// (ProtobufReader: the package 0.223 ships no generated protobuf root, it hand-writes the OTLP
// messages); the field numbers below are those of opentelemetry-proto's trace.proto and
// common.proto, as the same package's ProtobufTraceSerializer writes them (a unit test decodes that
// serializer's output and compares it with its JSON serializer's).

import http from 'node:http';
import { once } from 'node:events';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { ProtobufReader } from '@opentelemetry/otlp-transformer/build/src/common/protobuf/protobuf-reader.js';

export type AttrValue = string | number | boolean | null;

export interface ReceivedSpan {
  readonly service: string | null;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  readonly kind: number;
  readonly attributes: Record<string, AttrValue>;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  readonly status: { readonly code: number; readonly message: string };
  readonly links: readonly { readonly traceId: string; readonly spanId: string }[];
}

export interface OtlpReceiver {
  readonly url: string;
  readonly spans: ReceivedSpan[];
  /** Export requests received, by content type. */
  readonly requests: string[];
  waitForSpans(n: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const requests: string[] = [];
  const waiters: { n: number; resolve: (s: ReceivedSpan[]) => void }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const type = String(req.headers['content-type'] ?? '');
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      requests.push(type);
      const got = type.includes('json') ? decodeJson(JSON.parse(body.toString())) : decodeProtobuf(body);
      spans.push(...got);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (spans.length >= waiters[i]!.n) waiters.splice(i, 1)[0]!.resolve(spans.slice());
      }
      if (type.includes('json')) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    spans,
    requests,
    waitForSpans: (n) => (spans.length >= n ? Promise.resolve(spans.slice()) : new Promise((resolve) => waiters.push({ n, resolve }))),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// JSON (OTLP/HTTP JSON: ids as hex strings, int64 possibly as strings) ---------------------------

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function idOf(v: unknown): string {
  if (typeof v !== 'string' || v === '') return '';
  return /^[0-9a-f]+$/i.test(v) && (v.length === 32 || v.length === 16) ? v.toLowerCase() : Buffer.from(v, 'base64').toString('hex');
}

function jsonValue(v: Json | undefined): AttrValue {
  if (v === undefined) return null;
  if ('stringValue' in v) return v.stringValue as string;
  if ('boolValue' in v) return v.boolValue as boolean;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  return null;
}

function jsonAttrs(list: Json[] | undefined): Record<string, AttrValue> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key as string, jsonValue(kv.value as Json)]));
}

export function decodeJson(doc: Json): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of (doc.resourceSpans ?? []) as Json[]) {
    const service = jsonAttrs(rs.resource?.attributes)['service.name'] ?? null;
    for (const ss of (rs.scopeSpans ?? []) as Json[]) {
      for (const s of (ss.spans ?? []) as Json[]) {
        out.push({
          service: service as string | null,
          traceId: idOf(s.traceId),
          spanId: idOf(s.spanId),
          parentSpanId: idOf(s.parentSpanId),
          name: s.name as string,
          kind: Number(s.kind ?? 0),
          attributes: jsonAttrs(s.attributes),
          status: { code: Number(s.status?.code ?? 0), message: (s.status?.message as string | undefined) ?? '' },
          links: ((s.links ?? []) as Json[]).map((l) => ({ traceId: idOf(l.traceId), spanId: idOf(l.spanId) })),
        });
      }
    }
  }
  return out;
}

// Protobuf (ExportTraceServiceRequest) --------------------------------------------------------

/** Calls `field(number, wireType, reader)` for each field of the message in `buf`; fields it does
 *  not read (returns false) are skipped. */
function fields(buf: Uint8Array, field: (n: number, r: ProtobufReader) => boolean): void {
  const r = new ProtobufReader(buf);
  while (!r.isAtEnd()) {
    const { fieldNumber, wireType } = r.readTag();
    if (!field(fieldNumber, r)) r.skip(wireType);
  }
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function anyValue(buf: Uint8Array): AttrValue {
  let v: AttrValue = null;
  fields(buf, (n, r) => {
    if (n === 1) v = r.readString(); // string_value
    else if (n === 2) v = r.readVarint() !== 0; // bool_value
    else if (n === 3) v = r.readVarint(); // int_value
    else return false; // double, array, kvlist, bytes: not used by the proxy's spans
    return true;
  });
  return v;
}

function keyValue(buf: Uint8Array, into: Record<string, AttrValue>): void {
  let key = '';
  let value: AttrValue = null;
  fields(buf, (n, r) => {
    if (n === 1) key = r.readString();
    else if (n === 2) value = anyValue(r.readBytes());
    else return false;
    return true;
  });
  into[key] = value;
}

function span(buf: Uint8Array, service: string | null): ReceivedSpan {
  const s = { service, traceId: '', spanId: '', parentSpanId: '', name: '', kind: 0, attributes: {} as Record<string, AttrValue>, status: { code: 0, message: '' }, links: [] as { traceId: string; spanId: string }[] };
  fields(buf, (n, r) => {
    if (n === 1) s.traceId = hex(r.readBytes());
    else if (n === 2) s.spanId = hex(r.readBytes());
    else if (n === 4) s.parentSpanId = hex(r.readBytes());
    else if (n === 5) s.name = r.readString();
    else if (n === 6) s.kind = r.readVarint();
    else if (n === 9) keyValue(r.readBytes(), s.attributes);
    else if (n === 13) {
      const l = { traceId: '', spanId: '' };
      fields(r.readBytes(), (m, lr) => {
        if (m === 1) l.traceId = hex(lr.readBytes());
        else if (m === 2) l.spanId = hex(lr.readBytes());
        else return false;
        return true;
      });
      s.links.push(l);
    } else if (n === 15) {
      fields(r.readBytes(), (m, sr) => {
        if (m === 2) s.status.message = sr.readString();
        else if (m === 3) s.status.code = sr.readVarint();
        else return false;
        return true;
      });
    } else return false;
    return true;
  });
  return s;
}

export function decodeProtobuf(body: Uint8Array): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  fields(body, (n, r) => {
    if (n !== 1) return false; // resource_spans
    let service: string | null = null;
    const scopes: Uint8Array[] = [];
    fields(r.readBytes(), (m, rr) => {
      if (m === 1) {
        const attrs: Record<string, AttrValue> = {};
        fields(rr.readBytes(), (k, ar) => (k === 1 ? (keyValue(ar.readBytes(), attrs), true) : false));
        service = (attrs['service.name'] as string | undefined) ?? null;
      } else if (m === 2) scopes.push(rr.readBytes());
      else return false;
      return true;
    });
    for (const scope of scopes) fields(scope, (m, sr) => (m === 2 ? (out.push(span(sr.readBytes(), service)), true) : false));
    return true;
  });
  return out;
}
