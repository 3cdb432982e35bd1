// For the recording tests: the lines of a recording file, a flushed writer, and a request with
// repeated header fields (which fetch cannot send).

import http from 'node:http';
import { expect } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { TestProxy } from './servers.js';

export type Line = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The parsed lines of `file` ([] when it does not exist). */
export async function recordedLines(file: string): Promise<Line[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return [];
    throw err;
  }
  expect(text === '' || text.endsWith('\n')).toBe(true);
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line);
}

/** Resolves once what the proxy queued for `file` (as configured, absolute) is written. */
export async function flushed(p: TestProxy, file: string): Promise<void> {
  await p.proxy.recorders.writerOf(file)?.flushed();
}

/** One HTTP/1.1 request; `headers` may repeat a field (an array value). */
export function send(url: string, method: string, headers: http.OutgoingHttpHeaders = {}, body?: Buffer | string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The value of a counter series in a /metrics text (0 when absent). */
export function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}
