// A recording file deleted (rm) or moved away (logrotate) while the writer holds it open is
// noticed within a second (the injected clock) and its path opened again: lines do not go on
// into an unlinked or renamed file.

import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../src/record/file-system.js';
import { RECHECK_AFTER_MS, RecordWriter } from '../src/record/writer.js';

const lines = async (file: string) => (await readFile(file, 'utf8')).split('\n').filter(Boolean);

describe('a recording file removed by hand', () => {
  it('is opened again at its path, deleted or moved', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'strangler-reopen-')), 'a.jsonl');
    let now = 0;
    const failed: string[] = [];
    const w = new RecordWriter(file, 1e9, {
      fs: nodeFileSystem, clock: { now: () => now }, maxQueuedBytes: 1e6, maxQueuedLines: 100, flushDelayMs: 0,
      written: () => undefined, dropped: () => undefined, failed: (_f, err) => void failed.push(err.message),
    });
    w.write('{"n":1}\n', '/r');
    await w.flushed();
    await rm(file);
    now += RECHECK_AFTER_MS;
    w.write('{"n":2}\n', '/r');
    await w.flushed();
    expect(await lines(file)).toEqual(['{"n":2}']);

    await rename(file, file + '.moved');
    now += RECHECK_AFTER_MS;
    w.write('{"n":3}\n', '/r');
    await w.close();
    expect(await lines(file)).toEqual(['{"n":3}']);
    expect(await lines(file + '.moved')).toEqual(['{"n":2}']);
    expect(failed).toEqual([]);
  });
});
