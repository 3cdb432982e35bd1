// A request body of known, bounded length read into one buffer: kept for replay (retries, the
// fallback) and for a mirrored write, which sends the same bytes to both upstreams.

import type { IncomingMessage } from 'node:http';

/** Reads a body of known, bounded length into one buffer (so tries can replay it). */
export function readBody(req: IncomingMessage, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => resolve(Buffer.concat(chunks, length)));
    req.once('error', reject);
    req.once('aborted', () => reject(new Error('the client aborted the request body')));
  });
}
