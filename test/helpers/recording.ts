// Recordings written by hand in the record-and-replay format (v1), for the replay tests.

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface ExchangeSpec {
  readonly method?: string;
  readonly path: string;
  /** Defaults to `path`. */
  readonly upstreamPath?: string;
  readonly route?: string;
  readonly host?: string | null;
  readonly requestHeaders?: Record<string, string | string[]>;
  readonly requestBody?: string | null;
  readonly status?: number;
  readonly responseHeaders?: Record<string, string | string[]>;
  /** A string, or a value written as JSON (content-type application/json unless given). */
  readonly body?: unknown;
  readonly truncated?: boolean;
  /** The upstream that answered (default legacy). */
  readonly upstream?: string;
}

function body(data: string | null): { encoding: 'utf8'; data: string; bytes: number; truncated: boolean } | null {
  return data === null ? null : { encoding: 'utf8', data, bytes: Buffer.byteLength(data), truncated: false };
}

export function recordedLine(x: ExchangeSpec, n = 0): string {
  const isText = typeof x.body === 'string' || x.body === undefined;
  const responseText = x.body === undefined ? null : typeof x.body === 'string' ? x.body : JSON.stringify(x.body);
  const headers = { ...(isText ? {} : { 'content-type': 'application/json' }), ...(x.responseHeaders ?? {}) };
  const res = body(responseText);
  return JSON.stringify({
    v: 1,
    at: new Date(Date.UTC(2026, 11, 3, 10, 0, n)).toISOString(),
    id: `req-${n}`,
    route: x.route ?? '/' + (x.path.split('/')[1] ?? '').split('?')[0],
    host: x.host ?? null,
    request: {
      method: x.method ?? 'GET',
      path: x.path,
      upstreamPath: x.upstreamPath ?? x.path,
      headers: { accept: 'application/json', ...(x.requestHeaders ?? {}) },
      body: body(x.requestBody ?? null),
    },
    response: {
      status: x.status ?? 200,
      upstream: x.upstream ?? 'legacy',
      durationMs: 3.5,
      headers,
      body: res === null ? null : { ...res, truncated: x.truncated ?? false },
    },
  });
}

/** Writes the exchanges (or raw lines) as a recording in a new temporary folder; returns its path. */
export async function writeRecording(lines: readonly (ExchangeSpec | string)[], name = 'orders.jsonl'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'strangler-replay-'));
  const file = path.join(dir, name);
  await writeFile(file, lines.map((l, i) => (typeof l === 'string' ? l : recordedLine(l, i))).join('\n') + '\n');
  return file;
}

/** A routes.yaml in a new temporary folder; returns its path. */
export async function writeRoutes(yaml: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'strangler-replay-routes-'));
  const file = path.join(dir, 'routes.yaml');
  await writeFile(file, yaml);
  return file;
}
