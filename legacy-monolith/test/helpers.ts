// Test helpers: temp data dirs, a monolith on port 0 per test, and small HTTP clients.
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { Served } from '../../demo-kit/serve.js';
import { startLegacy, type LegacyOptions } from '../server.js';

/** A fresh directory under the OS temp dir, removed after the current test. */
export function useTempDirs(): (prefix: string) => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async (prefix) => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}

export interface LegacyUnderTest {
  app: Served;
  url: string;
  dataDir: string;
  /** Closes the monolith and starts a new one on the same data dir. */
  restart(): Promise<void>;
}

/** A monolith on 127.0.0.1 port 0 in its own temp data dir, for each test of the file. */
export function useLegacy(opts: Omit<LegacyOptions, 'dataDir'> = {}): LegacyUnderTest {
  const tempDir = useTempDirs();
  const legacy = {} as LegacyUnderTest;
  const start = async () => {
    legacy.app = await startLegacy({ ...opts, dataDir: legacy.dataDir });
    legacy.url = legacy.app.url;
  };
  legacy.restart = async () => {
    await legacy.app.close();
    await start();
  };
  beforeEach(async () => {
    legacy.dataDir = await tempDir('legacy-');
    await start();
  });
  afterEach(async () => {
    await legacy.app?.close();
  });
  return legacy;
}

export interface JsonAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Sends `body` as JSON (when given) and parses the answer as JSON (when it has one). */
export async function fetchJson(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<JsonAnswer> {
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
    redirect: 'manual',
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/** A streaming GET that resolves with the response as soon as its headers arrive. */
export function openStream(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, resolve);
    req.on('error', reject);
    req.end();
  });
}
