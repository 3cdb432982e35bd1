// `--fail-under 0` asks nothing of the match rate: it passes even when nothing was compared (a
// recording of writes only, replayed without --methods), with a line saying nothing was compared.
// Any higher bar still fails then.

import { describe, expect, it } from 'vitest';
import { gateOf } from '../src/shadow/gate.js';
import { cli } from './helpers/cli.js';
import { writeRecording } from './helpers/recording.js';
import { startUpstream } from './helpers/servers.js';

describe('--fail-under 0 with nothing compared', () => {
  it('replay passes (exit 0) and says nothing was compared; --fail-under 1 fails', async () => {
    const file = await writeRecording([{ method: 'POST', path: '/orders', requestBody: '{"userId":1}', status: 201, body: { id: 5 } }]);
    const c = await startUpstream((_req, res) => res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":5}'));
    try {
      const zero = await cli(['replay', file, '--target', c.url, '--fail-under', '0']);
      expect(zero.out).toContain('nothing was compared');
      expect(zero.out).toContain('gate: pass');
      expect(zero.code).toBe(0);
      const one = await cli(['replay', file, '--target', c.url, '--fail-under', '1']);
      expect(one.out).toContain('nothing was compared: the gate cannot pass');
      expect(one.code).toBe(1);
      expect(c.received).toHaveLength(0);
    } finally {
      await c.close();
    }
  });

  it('the gate itself: 0 passes an empty or uncompared set, anything above fails it', () => {
    const none = { route: '/r', match: 0, mismatch: 0 } as never;
    expect(gateOf([none], 0).pass).toBe(true);
    expect(gateOf([], 0).pass).toBe(true);
    expect(gateOf([none], 0.1).pass).toBe(false);
  });
});
