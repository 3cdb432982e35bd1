// The process log (logger.ts Batching) fills one chunk of whole lines and hands it to its sink. A
// sink done with a chunk when its write returns (SyncSink: /dev/null) is handed the chunk itself,
// no copy made; any other (a pipe's stream, the thread pool's writer) keeps what it was handed
// while later lines fill the chunk again, so it gets a copy of its own.
import { describe, expect, it } from 'vitest';
import { Batching } from '../src/observability/logger.js';
import type { ChunkSink } from '../src/observability/log-sink.js';

/** Two lines, each flushed on its own, into a sink that records what it was handed and what it read then. */
function twoFlushes(writesAtOnce: boolean) {
  const handed: Buffer[] = [];
  const readThen: string[] = [];
  const sink: ChunkSink = {
    chunkBytes: 16_384,
    writesAtOnce,
    write: (c) => {
      handed.push(c);
      readThen.push(c.toString());
    },
    close: async () => 0,
  };
  const batching = new Batching(sink);
  for (const line of ['{"n":1}\n', '{"n":2}\n']) {
    batching.write(line);
    batching.flush();
  }
  return { handed, readThen };
}

describe('the process log', () => {
  it('hands a sink that writes at once its own chunk, refilled after the write returns', () => {
    const { handed, readThen } = twoFlushes(true);
    expect(readThen).toEqual(['{"n":1}\n', '{"n":2}\n']);
    expect(handed[0]!.buffer).toBe(handed[1]!.buffer); // one chunk, no copy
  });

  it('hands any other sink a copy, which later lines do not change', () => {
    const { handed, readThen } = twoFlushes(false);
    expect(readThen).toEqual(['{"n":1}\n', '{"n":2}\n']);
    expect(handed.map((c) => c.toString())).toEqual(['{"n":1}\n', '{"n":2}\n']);
    expect(handed[0]!.buffer).not.toBe(handed[1]!.buffer);
  });
});
