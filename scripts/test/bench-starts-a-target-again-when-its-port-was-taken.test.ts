// A target's port is picked free, then the target binds it; in between, another process (a load
// generator's connection, whose source port comes from the same range) may take it. Seen once in
// a 9-minute paired run: the whole bench stopped at `EADDRINUSE`. startTarget tries again on
// fresh ports, up to 3 times, and only for that error.
import { describe, expect, it } from 'vitest';
import { startTarget, type BenchContext, type RunningTarget } from '../bench/targets.js';

const ctx = {} as BenchContext;
const running: RunningTarget = { url: 'http://127.0.0.1:1', stop: async () => undefined };

/** A target whose first `failures` starts fail with `message`. */
function flaky(failures: number, message: string) {
  let starts = 0;
  return {
    name: 'flaky',
    get starts() {
      return starts;
    },
    async start(): Promise<RunningTarget> {
      starts++;
      if (starts <= failures) throw new Error(message);
      return running;
    },
  };
}

const STRANGLER_LOST = 'strangler exited with code 1 before http://127.0.0.1:40681/readyz answered 200\n  stderr of strangler:\n    strangler: not starting: 0.0.0.0:40681 is in use by another process (EADDRINUSE)';
const NGINX_LOST = 'nginx exited with code 1\n  stderr of nginx:\n    nginx: [emerg] bind() to 127.0.0.1:40681 failed (98: Address already in use)';

describe('startTarget', () => {
  it('starts a target again when its port was taken, for strangler and nginx alike', async () => {
    for (const message of [STRANGLER_LOST, NGINX_LOST]) {
      const t = flaky(2, message);
      await expect(startTarget(t, ctx)).resolves.toBe(running);
      expect(t.starts).toBe(3);
    }
  });

  it('gives up after 3 tries, with the last error', async () => {
    const t = flaky(3, STRANGLER_LOST);
    await expect(startTarget(t, ctx)).rejects.toThrow('EADDRINUSE');
    expect(t.starts).toBe(3);
  });

  it('does not try again after any other failure', async () => {
    const t = flaky(1, 'strangler not built: run npm run build');
    await expect(startTarget(t, ctx)).rejects.toThrow('not built');
    expect(t.starts).toBe(1);
  });
});
