// Watch events that leave routes.yaml as it was (an editor's save, a Kubernetes ConfigMap's
// symlink swap) reload to 'unchanged'. The status keeps the last 10 reloads that did something
// (applied, rejected, failed): a burst of unchanged ones never pushes those out. Test clock.
import { describe, expect, it } from 'vitest';
import { StatusBook } from '../src/status/book.js';
import { testClock } from './helpers/servers.js';

describe('the status book\'s last reloads', () => {
  it('are the last 10 that changed something or were refused, whatever the unchanged ones between', () => {
    const clock = testClock();
    const book = new StatusBook(clock);
    for (let i = 0; i < 11; i++) {
      clock.advance(1000);
      book.reloaded({ result: 'success', version: `v${i}`, previousVersion: `v${i - 1}`, changes: [`routes[0].upstream: a -> v${i}`] }, 'watch');
    }
    clock.advance(1000);
    book.reloaded({ result: 'invalid', errors: [{ path: 'routes[0].upstream', message: 'unknown upstream "x"' }] as never }, 'watch');
    for (let i = 0; i < 25; i++) {
      clock.advance(1000);
      book.reloaded({ result: 'unchanged', version: 'v10' }, 'watch');
    }
    expect(book.reloads).toHaveLength(10);
    expect(book.reloads.map((r) => r.result)).toEqual(['invalid', ...Array(9).fill('success')]);
    expect(book.reloads[1]!.changes).toEqual(['routes[0].upstream: a -> v10']);
    expect(book.reloads[9]!.changes).toEqual(['routes[0].upstream: a -> v2']);
  });
});
