// A write cut short (a full disk) leaves a line without its `\n`: the next line written to that
// file starts on a line of its own, whether the writer reopens it or the process restarts.

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFileSystem, type RecordFileSystem } from '../src/record/file-system.js';
import { RETRY_AFTER_MS, RecordWriter } from '../src/record/writer.js';

const noop = (): void => undefined;

describe('the recording writer after a partial write', () => {
  it('starts the next line on a line of its own (an injected disk that fills mid-write)', async () => {
    let disk = '';
    let full = true;
    const fs: RecordFileSystem = {
      open: () => Promise.resolve({
        size: disk.length,
        endsMidLine: disk.length > 0 && !disk.endsWith('\n'),
        file: {
          write: (b) => {
            if (full) {
              full = false;
              disk += b.toString().slice(0, 10);
              return Promise.reject(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }));
            }
            disk += b.toString();
            return Promise.resolve();
          },
          close: () => Promise.resolve(),
        },
      }),
      siblings: () => Promise.resolve([]),
      rename: () => Promise.resolve(),
    };
    let now = 0;
    const failures: string[] = [];
    const w = new RecordWriter('/x/a.jsonl', 1e9, {
      fs, clock: { now: () => now }, maxQueuedBytes: 1e6, maxQueuedLines: 100, flushDelayMs: 0,
      written: noop, dropped: noop, failed: (_f, err) => void failures.push(err.message),
    });
    w.write('{"a":1}\n', '/r');
    w.write('{"a":2}\n', '/r');
    await w.flushed();
    expect(failures).toEqual(['ENOSPC: no space left on device']);
    now += RETRY_AFTER_MS;
    w.write('{"a":3}\n', '/r');
    w.write('{"a":4}\n', '/r');
    await w.flushed();
    expect(disk).toBe('{"a":1}\n{"\n{"a":3}\n{"a":4}\n');
    w.write('{"a":5}\n', '/r');
    await w.close();
    expect(disk.endsWith('{"a":4}\n{"a":5}\n')).toBe(true);
  });

  it('starts the next line on a line of its own in a real file left ending mid-line', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'strangler-midline-')), 'a.jsonl');
    await writeFile(file, '{"a":1}\n{"a"');
    const w = new RecordWriter(file, 1e9, {
      fs: nodeFileSystem, clock: { now: () => 0 }, maxQueuedBytes: 1e6, maxQueuedLines: 100, flushDelayMs: 0,
      written: noop, dropped: noop, failed: noop,
    });
    w.write('{"a":2}\n', '/r');
    await w.close();
    expect(await readFile(file, 'utf8')).toBe('{"a":1}\n{"a"\n{"a":2}\n');
  });
});
