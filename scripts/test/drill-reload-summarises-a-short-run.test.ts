import { describe, expect, it } from 'vitest';
import { runDrill } from '../drill/reload.js';
import { builtFile } from '../lib/test/built-process.js';

// The drill's core against the built proxy, shortened: 6 writes (4 valid, 2 invalid: every 3rd),
// 8 clients, no CPU pinning (it would pin the test worker). About 4 s.
describe('npm run drill:reload', () => {
  it('summarises a short run: every valid write applied, every invalid one rejected, no failed request', async () => {
    const s = await runDrill({
      stranglerMain: builtFile('src/main.js'),
      rewrites: 6,
      invalidEvery: 3,
      clients: 8,
      minGapMs: 250,
      maxGapMs: 300,
      pin: false,
      maxDurationMs: 25_000,
    });
    expect(s.problems).toEqual([]);
    expect(s.writes).toMatchObject({ planned: 6, done: 6, valid: 4, invalid: 2 });
    expect(s.requests.sent).toBeGreaterThan(100);
    expect(s.requests.failed).toBe(0);
    expect(s.applied).toBe(4);
    expect(s.rejected).toBe(2);
    expect(s.invalidServedUnchanged).toBe(2);
    expect(s.switches).toMatchObject({ count: 4, missing: 0, flipFlopWrites: 0 });
    expect(s.switches.p99).toBeLessThan(1000);
    expect(s.countersDelta).toEqual({ success: 4, invalid: 2, error: 0 });
    expect(s.proxyExit).toBe('on SIGTERM: exited with code 0');
    expect(s.pass).toBe(true);
  });
});
