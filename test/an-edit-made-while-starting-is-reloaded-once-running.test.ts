// An edit made while strangler starts (after the first read, before it serves) is reloaded as
// soon as it runs. With --workers the primary created its watch only after the first read and
// dropped what it saw before the workers were up: that edit was lost for good (the watch had
// already taken the new file as its baseline), with no log line. Both a single process and the
// primary now watch through WatchFromStart.

import { describe, expect, it } from 'vitest';
import { WatchFromStart } from '../src/config/watch-from-start.js';
import type { watchConfigFile } from '../src/config/watch.js';

/** A watch whose changes the test makes happen. */
function fakeWatch() {
  const w = { change: (_reason: string) => {}, closed: false, file: '' };
  const watch: typeof watchConfigFile = (file, onChange) => {
    w.file = file;
    w.change = onChange;
    return { close: () => void (w.closed = true) };
  };
  return { w, watch };
}

describe('the routes file watched from the start', () => {
  it('holds a change seen while starting and reloads it once running; later changes reload at once', () => {
    const { w, watch } = fakeWatch();
    const reloads: string[] = [];
    const watching = new WatchFromStart('routes.yaml', watch);
    expect(w.file).toMatch(/^\/.*routes\.yaml$/); // resolved
    w.change('change routes.yaml');
    w.change('change routes.yaml');
    expect(reloads).toEqual([]);
    watching.running(() => reloads.push('reload'));
    expect(reloads).toEqual(['reload']); // the two early changes: one reload of the file as it is now
    w.change('change routes.yaml');
    expect(reloads).toEqual(['reload', 'reload']);
    watching.close();
    expect(w.closed).toBe(true);
  });

  it('reloads nothing when nothing changed while starting', () => {
    const { w, watch } = fakeWatch();
    const reloads: string[] = [];
    new WatchFromStart('routes.yaml', watch).running(() => reloads.push('reload'));
    expect(reloads).toEqual([]);
    w.change('rename ..data');
    expect(reloads).toEqual(['reload']);
  });
});
