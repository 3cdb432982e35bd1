// `strangler replay` on bad usage: exit 2 with one clear line on stderr (an unknown flag, no
// --target, no file, an unreadable file, a bad number, a bad --header, an invalid --config), and
// nothing sent. A recorded line that is not JSON or not the format is skipped with its reason,
// named as file:line, never a crash.

import type http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { recordedLine, writeRecording, writeRoutes } from './helpers/recording.js';
import { startUpstream, type Upstream } from './helpers/servers.js';

let candidate: Upstream;
let file: string;
beforeAll(async () => {
  candidate = await startUpstream((_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":1}');
  });
  file = await writeRecording([{ path: '/orders/1', body: { id: 1 } }]);
});
afterAll(() => candidate.close());

describe('strangler replay usage errors', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['an unknown flag', () => ['replay', file, '--target', candidate.url, '--bogus'], /Unknown option '--bogus'/],
    ['no --target', () => ['replay', file], /--target URL is required/],
    ['no file', () => ['replay', '--target', candidate.url], /name at least one recording file/],
    ['a target that is not a URL', () => ['replay', file, '--target', 'localhost'], /--target must be an http\(s\) URL/],
    ['an unreadable file', () => ['replay', path.join(path.dirname(file), 'missing.jsonl'), '--target', candidate.url], /cannot read .*missing\.jsonl: ENOENT/],
    ['a bad --concurrency', () => ['replay', file, '--target', candidate.url, '--concurrency', '0'], /--concurrency must be a whole number of at least 1 \(got '0'\)/],
    ['a bad --timeout', () => ['replay', file, '--target', candidate.url, '--timeout', 'soon'], /--timeout must be a whole number/],
    ['a bad --rate', () => ['replay', file, '--target', candidate.url, '--rate', '0'], /--rate must be a number of requests per second above 0/],
    ['a bad --fail-under', () => ['replay', file, '--target', candidate.url, '--fail-under', '101'], /--fail-under must be a percentage from 0 to 100 \(got '101'\)/],
    ['a bad --header', () => ['replay', file, '--target', candidate.url, '--header', 'no colon'], /--header must be 'Name: value'/],
  ];
  for (const [what, args, message] of cases) {
    it(`exits 2 on ${what}`, async () => {
      const before = candidate.received.length;
      const r = await cli(args());
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
      expect(r.out).toBe('');
      expect(candidate.received.length).toBe(before);
    });
  }

  it('exits 2 on an invalid --config, naming its errors', async () => {
    const routes = await writeRoutes('upstreams:\n  legacy: { url: http://127.0.0.1:1 }\nroutes:\n  - prefix: /orders\n    upstream: nowhere\n');
    const r = await cli(['replay', file, '--target', candidate.url, '--config', routes]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown upstream 'nowhere'");
    expect(r.err).toContain('the file is not valid');
  });

  it('exits 2 on --fail-under with a bad value for strangler report too', async () => {
    const r = await cli(['report', '--file', file, '--fail-under', 'most']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--fail-under must be a percentage from 0 to 100 (got 'most')");
  });

  it('skips lines that are not recorded exchanges, naming each, and replays the rest', async () => {
    const bad = await writeRecording(['{not json', '{"v":2,"request":{}}', recordedLine({ path: '/orders/1', body: { id: 1 } }), '["an array"]']);
    const r = await cli(['replay', bad, '--target', candidate.url]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/orders\.jsonl:1: skipped, not JSON/);
    expect(r.err).toMatch(/orders\.jsonl:2: skipped, not a recorded exchange of format v1/);
    expect(r.err).toMatch(/orders\.jsonl:4: skipped, not a recorded exchange \(a JSON object\)/);
    expect(r.out).toContain('3 line(s) skipped');
    expect(r.out).toContain('gate: pass');
  });
});
