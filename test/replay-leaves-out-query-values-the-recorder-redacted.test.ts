// A recorded path whose query values the recorder redacted (`redactQuery`: token, api_key...)
// is replayed without those parameters, as redacted header fields are left out: sent as
// recorded, `<redacted>` was an invalid request target and a wrong value anyway.
import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { writeRecording } from './helpers/recording.js';
import { startUpstream } from './helpers/servers.js';
import { withoutRedactedQuery } from '../src/record/redact-query.js';

describe('replay of a path with redacted query values', () => {
  it('sends the path without them, the other parameters byte for byte', async () => {
    const file = await writeRecording([
      { path: '/orders?q=Item+1&token=<redacted>&page=2', body: { ok: true } },
      { path: '/orders?api_key=<redacted>', body: { ok: true } },
    ]);
    const c = await startUpstream((_req: http.IncomingMessage, res: http.ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    try {
      expect((await cli(['replay', file, '--target', c.url])).code).toBe(0);
      expect(c.received.map((r) => r.url).sort()).toEqual(['/orders', '/orders?q=Item+1&page=2']);
    } finally {
      await c.close();
    }
  });

  it('keeps a parameter whose value only looks alike, and a path without a query', () => {
    expect(withoutRedactedQuery('/a?x=<redacted>x&y=1')).toBe('/a?x=<redacted>x&y=1');
    expect(withoutRedactedQuery('/a/<redacted>')).toBe('/a/<redacted>');
    expect(withoutRedactedQuery('/a?flag&t=<redacted>')).toBe('/a?flag');
  });
});
