// A request body of known, bounded length read into one buffer: kept for replay (retries, the
// fallback) and for a mirrored write, which sends the same bytes to both upstreams.

import type { IncomingMessage } from 'node:http';

/** Whoever may stop a read before the body has arrived (its wait timed out). */
export interface BodyReader {
  /** Set while the read is pending: rejects the read with `err`. */
  stopReading: ((err: Error) => void) | null;
}

/** Reads a body of known, bounded length into one buffer (so tries can replay it). */
export function readBody(req: IncomingMessage, length: number, reader: BodyReader | null = null): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    if (reader !== null) reader.stopReading = reject;
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => {
      if (reader !== null) reader.stopReading = null;
      resolve(Buffer.concat(chunks, length));
    });
    req.once('error', reject);
    req.once('aborted', () => reject(new Error('the client aborted the request body')));
  });
}
