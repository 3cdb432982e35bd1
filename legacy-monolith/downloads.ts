// GET /downloads/:bytes streams exactly N bytes of deterministic content: byte i is i % 251
// (251 is prime, so a chunk lost, repeated or reordered anywhere shows up). Written with
// backpressure from one reusable block, so any size costs constant memory.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HttpError } from '../demo-kit/http-error.js';
import type { Handler } from '../demo-kit/router.js';

/** A whole number of 251-byte periods (261 × 251 = 65511), so every block starts at phase 0. */
const BLOCK = Buffer.from(Array.from({ length: 251 * 261 }, (_, i) => i % 251));

export const downloadHandler: Handler = async ({ req, res, params }) => {
  const text = params.bytes ?? '';
  if (!/^[0-9]{1,15}$/.test(text)) {
    throw new HttpError(400, 'validation_failed', 'invalid request: bytes must be a whole number', {
      details: [{ field: 'bytes', message: 'must be a whole number' }],
    });
  }
  const total = Number(text);
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await pipeline(Readable.from(blocks(total)), res);
};

function* blocks(total: number): Generator<Buffer> {
  for (let left = total; left > 0; left -= BLOCK.length) yield BLOCK.subarray(0, Math.min(left, BLOCK.length));
}
