// `strangler replay FILE... --target URL [flags]`: the flags, checked. Every problem is one clear
// line (the CLI exits 2 with it).

import { parseArgs } from 'node:util';
import { parseArgsMessage } from './parse-args-message.js';

export interface ReplayCommand {
  kind: 'replay';
  files: string[];
  target: URL;
  config?: string;
  concurrency: number;
  rate: number | null;
  timeoutMs: number;
  headers: [string, string][];
  methods: string[];
  clientPath: boolean;
  failUnder: number;
  junit?: string;
  json: boolean;
}

export const REPLAY_DEFAULTS = { concurrency: 8, timeoutMs: 10_000, methods: ['GET', 'HEAD'], failUnder: 100 } as const;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A whole number >= min, or what is wrong. */
function whole(v: string | undefined, flag: string, dflt: number, min: number): number | string {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < min) return `${flag} must be a whole number of at least ${min} (got '${v}')`;
  return Number(v);
}

/** `--fail-under PCT`: a percentage 0..100, or what is wrong (undefined when not given). */
export function failUnderOption(v: string | undefined): number | string | undefined {
  if (v === undefined) return undefined;
  const n = Number(v.replace(/%$/, ''));
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) return `--fail-under must be a percentage from 0 to 100 (got '${v}')`;
  return n;
}

/** `s` as a URL when it is an http: or https: one, else null. */
export function httpUrl(s: string): URL | null {
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
}

export function parseReplayArgs(argv: readonly string[]): ReplayCommand | { kind: 'usage-error'; message: string; brief: true } {
  const fail = (message: string) => ({ kind: 'usage-error' as const, message: `replay: ${message}`, brief: true as const });
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        target: { type: 'string' },
        config: { type: 'string', short: 'c' },
        concurrency: { type: 'string' },
        rate: { type: 'string' },
        timeout: { type: 'string' },
        header: { type: 'string', multiple: true },
        methods: { type: 'string' },
        'client-path': { type: 'boolean' },
        'fail-under': { type: 'string' },
        junit: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
  } catch (err) {
    return fail(parseArgsMessage(err));
  }
  const { values: v, positionals: files } = parsed;
  if (files.length === 0) return fail('name at least one recording file (strangler replay FILE... --target URL)');
  if (v.target === undefined) return fail('--target URL is required (the candidate to send the recorded requests to)');
  const target = httpUrl(v.target);
  if (target === null) return fail(`--target must be an http(s) URL such as http://127.0.0.1:8002 (got '${v.target}')`);
  const concurrency = whole(v.concurrency, '--concurrency', REPLAY_DEFAULTS.concurrency, 1);
  if (typeof concurrency === 'string') return fail(concurrency);
  const timeoutMs = whole(v.timeout, '--timeout', REPLAY_DEFAULTS.timeoutMs, 1);
  if (typeof timeoutMs === 'string') return fail(timeoutMs);
  let rate: number | null = null;
  if (v.rate !== undefined) {
    rate = Number(v.rate);
    if (v.rate.trim() === '' || !Number.isFinite(rate) || rate <= 0) return fail(`--rate must be a number of requests per second above 0 (got '${v.rate}')`);
  }
  const failUnder = failUnderOption(v['fail-under']);
  if (typeof failUnder === 'string') return fail(failUnder);
  const headers: [string, string][] = [];
  for (const h of v.header ?? []) {
    const colon = h.indexOf(':');
    const name = colon < 0 ? '' : h.slice(0, colon).trim();
    if (!TOKEN.test(name)) return fail(`--header must be 'Name: value' (got '${h}')`);
    headers.push([name, h.slice(colon + 1).trim()]);
  }
  const methods = v.methods === undefined ? [...REPLAY_DEFAULTS.methods] : v.methods.split(',').map((m) => m.trim().toUpperCase()).filter((m) => m !== '');
  if (methods.length === 0 || !methods.every((m) => TOKEN.test(m))) return fail(`--methods must be a comma-separated list such as GET,HEAD,POST (got '${v.methods}')`);
  if (v.junit === '') return fail('--junit needs a file path');
  return {
    kind: 'replay',
    files,
    target,
    ...(v.config === undefined ? {} : { config: v.config }),
    concurrency,
    rate,
    timeoutMs,
    headers,
    methods,
    clientPath: v['client-path'] ?? false,
    failUnder: failUnder ?? REPLAY_DEFAULTS.failUnder,
    ...(v.junit === undefined ? {} : { junit: v.junit }),
    json: v.json ?? false,
  };
}
