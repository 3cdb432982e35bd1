// An HTML comparison that takes several turns holds both parsed documents until it ends (about
// 44 MB of heap for a 1 MiB page): 64 at once took a proxy to 2.9 GB (bounds audit). While
// MAX_IN_PROGRESS comparisons are under way across turns, a new comparison of big HTML pages is
// skipped (`overload`) instead of started; once one ends, they are compared again. Pages that
// compare in one step (identical bytes, or small) hold nothing and are compared all the while.
// The turns are held busy here by comparisons of the test's own, so the count is exact.

import { afterEach, describe, expect, it } from 'vitest';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import { MAX_IN_PROGRESS } from '../src/shadow/turns.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

let legacy: Upstream | undefined, next: Upstream | undefined, proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await Promise.all([legacy?.close(), next?.close()]);
  proxy = legacy = next = undefined;
});

/** Steps that yield until `release()`: a comparison under way across turns. */
function heldComparison(): { steps: Iterator<void, number>; release(): void } {
  let held = true;
  function* steps(): Generator<void, number> {
    while (held) yield;
    return 0;
  }
  return { steps: steps(), release: () => void (held = false) };
}

describe('HTML comparisons under way across turns', () => {
  it(`skip a new HTML comparison as overload while ${MAX_IN_PROGRESS} are under way, and compare again once one ends`, async () => {
    const big = (who: string) => `<p>${who}</p>` + '<div>row</div>'.repeat(2_000); // (28 KB: over one slice)
    const page = (url: string | undefined, who: string) => (url === '/pages/small' ? '<p>same</p>' : url === '/pages/tiny' ? `<p>${who}</p>` : big(who));
    legacy = await startUpstream((req, res) => (res.setHeader('content-type', 'text/html'), res.end(page(req.url, 'legacy'))));
    next = await startUpstream((req, res) => (res.setHeader('content-type', 'text/html'), res.end(page(req.url, 'next'))));
    proxy = await startProxy(upstreamsYaml({ legacy: legacy.url, next: next.url }) + 'routes:\n  - { prefix: /pages, upstream: legacy, shadow: { upstream: next } }\n');
    const turns = proxy.proxy.shadow.turns;
    const held = Array.from({ length: MAX_IN_PROGRESS }, heldComparison);
    const ended: number[] = [];
    for (const h of held) turns.run(h.steps, () => void ended.push(1));
    expect(turns.inProgress).toBe(MAX_IN_PROGRESS);

    const eventOf = async (path: string): Promise<ShadowEvent> => {
      const event = new Promise<ShadowEvent>((resolve) => proxy!.proxy.shadow.once('event', resolve));
      expect(await (await fetch(proxy!.url + path)).text()).toContain('<p>'); // the client's answer is untouched
      return event;
    };
    expect(await eventOf('/pages/1')).toMatchObject({ result: 'skipped', reason: 'overload' });
    expect(await eventOf('/pages/small')).toMatchObject({ result: 'match' }); // the same bytes: nothing parsed
    expect(await eventOf('/pages/tiny')).toMatchObject({ result: 'mismatch' }); // one step: nothing held

    held[0]!.release();
    while (turns.inProgress === MAX_IN_PROGRESS) await new Promise((r) => setImmediate(r)); // (one turn per step)
    expect(await eventOf('/pages/2')).toMatchObject({ result: 'mismatch' });
    for (const h of held) h.release();
    await turns.idle();
    expect(ended).toHaveLength(MAX_IN_PROGRESS);
  });
});
