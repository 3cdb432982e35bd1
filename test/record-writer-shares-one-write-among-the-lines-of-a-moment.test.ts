// The recording writer does not write each line on its own: lines queued within flushDelayMs of
// the first (across event-loop turns) go out in one write, in order; close() and flushed() do
// not wait for the delay.

import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { RecordFileSystem } from '../src/record/file-system.js';
import { RecordWriter } from '../src/record/writer.js';

function memoryDisk(): { fs: RecordFileSystem; writes: string[] } {
  const writes: string[] = [];
  return {
    writes,
    fs: {
      open: () => Promise.resolve({ size: 0, file: { write: (d) => {
              writes.push(d.toString());
              return Promise.resolve();
            }, close: () => Promise.resolve() } }),
      siblings: () => Promise.resolve([]),
      rename: () => Promise.resolve(),
    },
  };
}

describe('the recording writer', () => {
  it('writes the lines of several turns in one write', async () => {
    const { fs, writes } = memoryDisk();
    const written: number[] = [];
    const w = new RecordWriter('/x/a.jsonl', 1 << 20, {
      fs, clock: { now: () => 0 }, maxQueuedBytes: 1 << 20, maxQueuedLines: 100, flushDelayMs: 60_000,
      written: (_r, n) => void written.push(n), dropped: () => {}, failed: () => {},
    });
    w.write('1\n', '/a');
    await nextTurn();
    w.write('2\n', '/a');
    await nextTurn();
    w.write('3\n', '/a');
    await w.flushed(); // (starts the pump now: the test does not wait a minute)
    expect(writes).toEqual(['1\n2\n3\n']);
    expect(written).toEqual([3]);
    w.write('4\n', '/a');
    await w.close();
    expect(writes).toEqual(['1\n2\n3\n', '4\n']);
  });
});
