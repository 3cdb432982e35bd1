// The lines of a file, one at a time, read in chunks: memory holds one chunk and the line being
// put together, never the file. The reader waits while its consumer works (async iteration over
// the read stream), so a slow consumer holds the reading back. Lines count from 1; a trailing
// `\r` is dropped; blank lines are skipped.

import { createReadStream } from 'node:fs';

export interface Line {
  readonly line: number;
  readonly text: string;
}

const NL = 0x0a;

function text(parts: Buffer[], tail: Buffer): string {
  const buf = parts.length === 0 ? tail : Buffer.concat([...parts, tail]);
  const end = buf.length > 0 && buf[buf.length - 1] === 0x0d ? buf.length - 1 : buf.length;
  return buf.toString('utf8', 0, end);
}

/** Throws the fs error when the file cannot be opened or read. */
export async function* readLines(path: string): AsyncGenerator<Line> {
  const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
  let parts: Buffer[] = [];
  let lineNo = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (let nl = chunk.indexOf(NL); nl >= 0; nl = chunk.indexOf(NL, start)) {
        const t = text(parts, chunk.subarray(start, nl));
        parts = [];
        start = nl + 1;
        lineNo++;
        if (t.trim() !== '') yield { line: lineNo, text: t };
      }
      if (start < chunk.length) parts.push(chunk.subarray(start));
    }
    if (parts.length > 0) {
      const t = text(parts, Buffer.alloc(0));
      lineNo++;
      if (t.trim() !== '') yield { line: lineNo, text: t };
    }
  } finally {
    stream.destroy();
  }
}
