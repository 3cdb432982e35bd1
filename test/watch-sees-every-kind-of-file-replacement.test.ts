// watchConfigFile on real files in temp directories. Synchronisation is by awaiting onChange (or
// an event on a probe fs.watch of the same directory), never by sleeping; a test that waits for
// something that never comes fails on vitest's test timeout.

import {
  copyFileSync,
  closeSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  symlinkSync,
  watch,
  writeFileSync,
  writeSync,
  readFileSync,
} from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchConfigFile, type ConfigWatcher } from '../src/config/watch.js';

interface Call {
  readonly reason: string;
  /** The file's content when onChange ran, as a reloader would read it. */
  readonly content: string;
}

/** Records every onChange with what the file held at that moment; `until` awaits a condition on
 *  the calls so far, re-checked at each call. */
function recorder(file: string) {
  const calls: Call[] = [];
  const waiters: { pred: (c: readonly Call[]) => boolean; resolve: () => void }[] = [];
  const onChange = (reason: string): void => {
    let content: string;
    try {
      content = readFileSync(file, 'utf8');
    } catch {
      content = '(missing)';
    }
    calls.push({ reason, content });
    for (const w of [...waiters]) {
      if (w.pred(calls)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const until = (pred: (c: readonly Call[]) => boolean): Promise<void> =>
    pred(calls) ? Promise.resolve() : new Promise((resolve) => waiters.push({ pred, resolve }));
  const untilContent = (content: string): Promise<void> => until((c) => c.some((x) => x.content === content));
  const contents = (): string[] => calls.map((c) => c.content);
  return { calls, onChange, until, untilContent, contents };
}

/** Resolves on the next event a separate fs.watch of `dir` sees about `name`. Arm it BEFORE the
 *  file operation. Both watchers are fed from the same inotify read, so when this resolves the
 *  watcher under test has received the event too. */
function probe(dir: string, name: string): { seen: Promise<void>; close(): void } {
  let resolve!: () => void;
  const seen = new Promise<void>((r) => (resolve = r));
  const w = watch(dir, (_type, filename) => {
    if (filename === name) resolve();
  });
  return { seen, close: () => w.close() };
}

/** Lets every timer already scheduled with a 0 ms delay run: first finish the I/O phase that
 *  delivered the event (setImmediate), then queue a 0 ms timer behind the ones already queued. */
async function afterZeroDelayTimers(): Promise<void> {
  await new Promise<void>((r) => setImmediate(r));
  await new Promise<void>((r) => setTimeout(r, 0));
  await new Promise<void>((r) => setImmediate(r));
}

/** A ConfigMap volume as the kubelet lays it out, and its atomic update. */
function configMap(dir: string, content: string) {
  let n = 0;
  let current = '';
  const stamp = (): string => `..2026_11_21_10_00_${String(n++).padStart(2, '0')}.123`;
  const writeVersion = (text: string): string => {
    const name = stamp();
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'routes.yaml'), text);
    return name;
  };
  current = writeVersion(content);
  symlinkSync(current, join(dir, '..data'));
  symlinkSync('..data/routes.yaml', join(dir, 'routes.yaml'));
  return {
    file: join(dir, 'routes.yaml'),
    /** New timestamped dir, `..data_tmp` -> it, renamed over `..data`, old dir deleted. */
    update(text: string, opts: { keepOld?: boolean } = {}): void {
      const next = writeVersion(text);
      symlinkSync(next, join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
      if (!opts.keepOld) rmSync(join(dir, current), { recursive: true });
      current = next;
    },
    /** `..data` re-pointed at the directory it already points at: nothing changes. */
    repointSame(): void {
      symlinkSync(current, join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    },
  };
}

let dir: string;
const open: ConfigWatcher[] = [];
function start(file: string, onChange: (reason: string) => void, debounceMs?: number): ConfigWatcher {
  const w = watchConfigFile(file, onChange, debounceMs === undefined ? {} : { debounceMs });
  open.push(w);
  return w;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strangler-watch-'));
});

afterEach(async () => {
  for (const w of open.splice(0)) w.close();
  await rm(dir, { recursive: true, force: true });
});

describe('watchConfigFile sees every kind of replacement, every time', () => {
  it('a write in place (writeFile)', async () => {
    const file = join(dir, 'routes.yaml');
    writeFileSync(file, 'v0');
    const rec = recorder(file);
    start(file, rec.onChange);
    for (const v of ['v1', 'v2', 'v3']) {
      writeFileSync(file, v);
      await rec.untilContent(v);
    }
    expect(rec.contents()).toEqual(['v1', 'v2', 'v3']);
    expect(rec.calls[0]?.reason).toContain('routes.yaml');
  });

  it('a truncate then write through an open descriptor, same size each time', async () => {
    const file = join(dir, 'routes.yaml');
    writeFileSync(file, 'aaaa');
    const rec = recorder(file);
    start(file, rec.onChange);
    // Same length, same inode: only the content (or a fine mtime) tells them apart.
    for (const v of ['bbbb', 'cccc', 'dddd']) {
      const fd = openSync(file, 'r+');
      ftruncateSync(fd, 0);
      writeSync(fd, v, 0);
      closeSync(fd);
      await rec.untilContent(v);
    }
    expect(rec.contents()).toEqual(['bbbb', 'cccc', 'dddd']);
  });

  it('an editor save: write routes.yaml.tmp, rename it over routes.yaml', async () => {
    const file = join(dir, 'routes.yaml');
    writeFileSync(file, 'v0');
    const rec = recorder(file);
    start(file, rec.onChange);
    for (const v of ['v1', 'v2', 'v3']) {
      writeFileSync(`${file}.tmp`, v);
      renameSync(`${file}.tmp`, file);
      await rec.untilContent(v);
    }
    expect(rec.contents()).toEqual(['v1', 'v2', 'v3']);
    expect(rec.calls.every((c) => c.reason.includes('routes.yaml') && !c.reason.includes('routes.yaml.tmp'))).toBe(true);
  });

  it('cp over it (copy into the existing file) and mv over it from another directory', async () => {
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(join(dir, 'conf'));
    mkdirSync(elsewhere);
    const conf = join(dir, 'conf', 'routes.yaml');
    writeFileSync(conf, 'v0');
    const rec = recorder(conf);
    start(conf, rec.onChange);
    for (const v of ['cp1', 'mv1', 'cp2', 'mv2']) {
      const src = join(elsewhere, `${v}.yaml`);
      writeFileSync(src, v);
      if (v.startsWith('cp')) copyFileSync(src, conf);
      else renameSync(src, conf);
      await rec.untilContent(v);
    }
    expect(rec.contents()).toEqual(['cp1', 'mv1', 'cp2', 'mv2']);
  });

  it('a Kubernetes ConfigMap update (..data swapped to a new timestamped dir), three times', async () => {
    const cm = configMap(dir, 'v0');
    const rec = recorder(cm.file);
    start(cm.file, rec.onChange);
    for (const v of ['v1', 'v2', 'v3']) {
      cm.update(v);
      await rec.untilContent(v);
    }
    // The old directory's deletion (in each update) called nothing of its own.
    expect(rec.contents()).toEqual(['v1', 'v2', 'v3']);
    expect(rec.calls[0]?.reason).toContain('..data');
  });

  it('two ConfigMap swaps in a row end on the second one', async () => {
    const cm = configMap(dir, 'v0');
    const rec = recorder(cm.file);
    start(cm.file, rec.onChange);
    cm.update('v1');
    cm.update('v2');
    await rec.untilContent('v2');
    expect(rec.calls.at(-1)?.content).toBe('v2');
    // ...and it keeps following after that.
    cm.update('v3');
    await rec.untilContent('v3');
    expect(rec.calls.at(-1)?.content).toBe('v3');
  });

  it('an in-place write to the file a symlink points at, in another directory', async () => {
    const real = join(dir, 'real');
    const link = join(dir, 'link');
    mkdirSync(real);
    mkdirSync(link);
    writeFileSync(join(real, 'routes.yaml'), 'v0');
    symlinkSync(join(real, 'routes.yaml'), join(link, 'routes.yaml'));
    const file = join(link, 'routes.yaml');
    const rec = recorder(file);
    start(file, rec.onChange);
    for (const v of ['v1', 'v2']) {
      writeFileSync(join(real, 'routes.yaml'), v);
      await rec.untilContent(v);
    }
    expect(rec.contents()).toEqual(['v1', 'v2']);
  });
});

describe('watchConfigFile calls once per change, and only for the file', () => {
  it('debounces a burst of 20 writes into one call, and still sees the next write', async () => {
    const file = join(dir, 'routes.yaml');
    writeFileSync(file, 'b0');
    const rec = recorder(file);
    // A long quiet period, so that the 20 awaited writes (each one an event-loop turn, their
    // events delivered between them) all land in one burst however slow the machine is.
    start(file, rec.onChange, 1000);
    for (let i = 1; i <= 20; i++) await writeFile(file, `b${i}`);
    await rec.untilContent('b20');
    expect(rec.contents()).toEqual(['b20']);
    writeFileSync(file, 'after');
    await rec.untilContent('after');
    // No call for any intermediate content, none left over from the burst.
    expect(rec.contents()).toEqual(['b20', 'after']);
  });

  it('ignores other files in the same directory', async () => {
    const file = join(dir, 'routes.yaml');
    writeFileSync(file, 'v0');
    const rec = recorder(file);
    start(file, rec.onChange, 1000);
    for (let i = 0; i < 5; i++) writeFileSync(join(dir, 'other.txt'), `noise ${i}`);
    writeFileSync(join(dir, 'routes.yaml.bak'), 'noise');
    writeFileSync(file, 'v1');
    await rec.untilContent('v1');
    expect(rec.calls).toHaveLength(1);
    // The one call is about routes.yaml; the other names never made it into the burst.
    expect(rec.calls[0]?.reason).toContain('routes.yaml');
    expect(rec.calls[0]?.reason).not.toContain('other.txt');
    expect(rec.calls[0]?.reason).not.toContain('routes.yaml.bak');
  });

  it('does not call when ..data is re-pointed at the same content', async () => {
    const cm = configMap(dir, 'v0');
    const rec = recorder(cm.file);
    start(cm.file, rec.onChange, 0);
    await afterZeroDelayTimers(); // the start-up check
    const p = probe(dir, '..data');
    cm.repointSame();
    await p.seen;
    p.close();
    await afterZeroDelayTimers(); // the check that event scheduled has run
    expect(rec.calls).toEqual([]);
    cm.update('v1');
    await rec.untilContent('v1');
    expect(rec.contents()).toEqual(['v1']);
  });

  it('does not call when an old ConfigMap directory is deleted later', async () => {
    const cm = configMap(dir, 'v0');
    const rec = recorder(cm.file);
    start(cm.file, rec.onChange, 0);
    cm.update('v1', { keepOld: true });
    await rec.untilContent('v1');
    const old = '..2026_11_21_10_00_00.123';
    const p = probe(dir, old);
    rmSync(join(dir, old), { recursive: true });
    await p.seen;
    p.close();
    await afterZeroDelayTimers();
    expect(rec.contents()).toEqual(['v1']);
  });
});

describe('watchConfigFile survives its directory going away', () => {
  it('sees the file again after the directory is removed and recreated', async () => {
    const conf = join(dir, 'conf');
    mkdirSync(conf);
    const file = join(conf, 'routes.yaml');
    writeFileSync(file, 'v0');
    const rec = recorder(file);
    start(file, rec.onChange);
    rmSync(conf, { recursive: true });
    await rec.untilContent('(missing)');
    mkdirSync(conf);
    writeFileSync(file, 'back');
    await rec.untilContent('back');
    // Watching again, not only polling once: later edits are seen too.
    for (const v of ['v2', 'v3']) {
      writeFileSync(file, v);
      await rec.untilContent(v);
    }
    expect(rec.contents()).toEqual(['(missing)', 'back', 'v2', 'v3']);
  });

  it('starts on a directory that does not exist yet and picks it up when it appears', async () => {
    const conf = join(dir, 'later');
    const file = join(conf, 'routes.yaml');
    const rec = recorder(file);
    start(file, rec.onChange);
    mkdirSync(conf);
    writeFileSync(file, 'v1');
    await rec.untilContent('v1');
    writeFileSync(file, 'v2');
    await rec.untilContent('v2');
    expect(rec.contents()).toEqual(['v1', 'v2']);
  });
});

describe('close()', () => {
  const counted = ['FSEventWrap', 'StatWatcher', 'Timeout'];
  const census = (): Record<string, number> => {
    const out: Record<string, number> = Object.fromEntries(counted.map((k) => [k, 0]));
    for (const r of process.getActiveResourcesInfo()) if (r in out) out[r] = (out[r] ?? 0) + 1;
    return out;
  };
  // A closed handle leaves the list in the loop's close phase, after the check phase: two turns.
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 2; i++) await new Promise<void>((r) => setImmediate(r));
  };

  it.each([
    ['a plain file, with a check pending', 'plain'],
    ['a ConfigMap (two directories watched), with a check pending', 'configmap'],
    ['a directory that does not exist (polling)', 'missing'],
  ])('leaves no watcher or timer behind: %s', async (_label, layout) => {
    let file: string;
    let touch: (() => void) | undefined;
    let touchedName = 'routes.yaml';
    if (layout === 'plain') {
      file = join(dir, 'routes.yaml');
      writeFileSync(file, 'v0');
      touch = () => writeFileSync(file, 'v1');
    } else if (layout === 'configmap') {
      const cm = configMap(dir, 'v0');
      file = cm.file;
      touch = () => cm.update('v1');
      touchedName = '..data';
    } else {
      file = join(dir, 'nope', 'routes.yaml');
    }
    await settle();
    const before = census();
    const rec = recorder(file);
    const w = watchConfigFile(file, rec.onChange, { debounceMs: 0 });
    await afterZeroDelayTimers(); // the start-up check, before anything changes
    if (touch) {
      const p = probe(dir, touchedName);
      touch();
      // The watcher under test has the event (same inotify read) and its 0 ms check is queued:
      // timers cannot run before this continuation, which runs inside the I/O phase.
      await p.seen;
      p.close();
    }
    expect(census()).not.toEqual(before); // it did hold something
    w.close();
    await settle();
    expect(census()).toEqual(before);
    expect(rec.calls).toEqual([]);
  });

  it('calls nothing after close, even when the file changes', async () => {
    const file = join(dir, 'routes.yaml');
    writeFileSync(file, 'v0');
    const closedRec = recorder(file);
    const w = watchConfigFile(file, closedRec.onChange, { debounceMs: 0 });
    await afterZeroDelayTimers(); // the start-up check, before anything changes
    const p = probe(dir, 'routes.yaml');
    writeFileSync(file, 'v1'); // event delivered, check pending ...
    await p.seen;
    p.close();
    w.close(); // ... and cancelled
    writeFileSync(file, 'v2');
    // A second watcher that sees v3 proves events still flow; the closed one saw none of it.
    const liveRec = recorder(file);
    start(file, liveRec.onChange, 0);
    writeFileSync(file, 'v3');
    await liveRec.untilContent('v3');
    await afterZeroDelayTimers();
    expect(closedRec.calls).toEqual([]);
  });
});
