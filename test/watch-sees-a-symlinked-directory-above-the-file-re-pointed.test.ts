// A deploy that re-points a symlinked directory above routes.yaml (Capistrano's
// `current -> releases/N`, or `routes.yaml -> ../cur/routes.yaml` with `cur` re-pointed): the
// directory watch is bound to the old directory's inode and hears nothing, so the swap was never
// reloaded, and after a SIGHUP loaded the new file its in-place edits went unseen too. A steady
// cheap poll now sees the swap, and the watch moves to the new directory. Synchronisation is by
// awaiting onChange; a change never seen fails on vitest's timeout.

import { mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchConfigFile, type ConfigWatcher } from '../src/config/watch.js';

let dir: string;
let watcher: ConfigWatcher | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strangler-watch-link-'));
});
afterEach(async () => {
  watcher?.close();
  await rm(dir, { recursive: true, force: true });
});

/** onChange calls, each with what the file held then; `next` awaits the next call. */
function seen(file: string) {
  const contents: string[] = [];
  let wake: () => void = () => {};
  const onChange = (): void => {
    contents.push(readFileSync(file, 'utf8'));
    wake();
  };
  const next = (): Promise<void> => new Promise((resolve) => (wake = resolve));
  return { contents, onChange, next };
}

/** Re-points the symlink `link` at `target` atomically (a new link renamed over the old). */
function repoint(link: string, target: string): void {
  symlinkSync(target, link + '.tmp');
  renameSync(link + '.tmp', link);
}

describe('a symlinked directory above routes.yaml, re-pointed', () => {
  it('current -> releases/N: the swap is seen, then edits in the new release', async () => {
    for (const r of ['r1', 'r2']) {
      mkdirSync(join(dir, 'releases', r), { recursive: true });
      writeFileSync(join(dir, 'releases', r, 'routes.yaml'), `# ${r}\n`);
    }
    symlinkSync('releases/r1', join(dir, 'current'));
    const file = join(dir, 'current', 'routes.yaml');
    const s = seen(file);
    watcher = watchConfigFile(file, s.onChange, { debounceMs: 10 });
    // An edit in place first: once it is seen, the watch has settled (its check after arming ran).
    let called = s.next();
    writeFileSync(join(dir, 'releases', 'r1', 'routes.yaml'), '# r1, edited\n');
    await called;

    called = s.next();
    repoint(join(dir, 'current'), 'releases/r2');
    await called;
    expect(s.contents).toEqual(['# r1, edited\n', '# r2\n']);

    called = s.next();
    writeFileSync(join(dir, 'releases', 'r2', 'routes.yaml'), '# r2, edited\n');
    await called;
    expect(s.contents).toEqual(['# r1, edited\n', '# r2\n', '# r2, edited\n']);
  });

  it('routes.yaml -> ../cur/routes.yaml with cur re-pointed', async () => {
    for (const r of ['a', 'b']) {
      mkdirSync(join(dir, r));
      writeFileSync(join(dir, r, 'routes.yaml'), `# ${r}\n`);
    }
    mkdirSync(join(dir, 'etc'));
    symlinkSync('a', join(dir, 'cur'));
    symlinkSync('../cur/routes.yaml', join(dir, 'etc', 'routes.yaml'));
    const file = join(dir, 'etc', 'routes.yaml');
    const s = seen(file);
    watcher = watchConfigFile(file, s.onChange, { debounceMs: 10 });
    let called = s.next();
    writeFileSync(join(dir, 'a', 'routes.yaml'), '# a, edited\n');
    await called;

    called = s.next();
    repoint(join(dir, 'cur'), 'b');
    await called;
    expect(s.contents).toEqual(['# a, edited\n', '# b\n']);
  });
});
