// `--header 'X-Auth-Token: s3cret'` is sent to the candidate as given, but the report's (and
// --json's) curl lines show any header given with --header as `<redacted>`: a CI log must not
// carry the token. Host is no secret: the README's `--header 'Host: shop.example.com'` shows, so a
// pasted curl line reaches an app that checks it.

import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { writeRecording } from './helpers/recording.js';
import { startUpstream } from './helpers/servers.js';

describe('replay --header values in curl lines', () => {
  it('sends the value, prints <redacted>', async () => {
    const file = await writeRecording([{ path: '/orders/1', body: { id: 1, total: 10 } }]);
    // A mismatch, so that the report prints the request's curl line.
    const c = await startUpstream((_req: http.IncomingMessage, res: http.ServerResponse) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":1,"total":"10"}'));
    try {
      const args = ['replay', file, '--target', c.url, '--header', 'X-Auth-Token: s3cret-token', '--header', 'X-Tenant: acme-secret', '--header', 'Host: shop.example.com'];
      const text = await cli(args);
      const json = await cli([...args, '--json']);
      expect(text.code).toBe(1);
      expect(json.code).toBe(1);
      for (const out of [text.out, json.out]) {
        expect(out).toContain('curl ');
        expect(out).not.toContain('s3cret-token');
        expect(out).not.toContain('acme-secret');
      }
      expect(text.out).toContain("-H 'x-auth-token: <redacted>'");
      expect(text.out).toContain("-H 'x-tenant: <redacted>'");
      expect(text.out).toMatch(/-H '[Hh]ost: shop\.example\.com'/);
      expect(c.received.map((r) => r.headers['x-auth-token'])).toEqual(['s3cret-token', 's3cret-token']);
      expect(c.received.map((r) => r.headers['x-tenant'])).toEqual(['acme-secret', 'acme-secret']);
    } finally {
      await c.close();
    }
  });
});
