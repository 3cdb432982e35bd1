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

/** A body that had not all arrived within its bound. */
export class BodyTimedOut extends Error {}

/** readBody, bounded: a body not all there within `ms` (0: no bound) rejects with BodyTimedOut. */
export function readBodyWithin(req: IncomingMessage, length: number, ms: number): Promise<Buffer> {
  if (ms <= 0) return readBody(req, length);
  const reader: BodyReader = { stopReading: null };
  const timer = setTimeout(() => reader.stopReading?.(new BodyTimedOut(`the request body did not arrive within ${ms} ms`)), ms);
  const reading = readBody(req, length, reader);
  void reading.then(() => clearTimeout(timer), () => clearTimeout(timer));
  return reading;
}
