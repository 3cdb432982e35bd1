// POST /uploads: the raw request body (any size, any content type; no multipart parsing) is
// streamed to a temp file in <dataDir>/uploads while it is hashed, then renamed to its
// sha256, so an upload is never held in memory and the same content is stored once.
// Answers {"bytes":N,"sha256":"<hex>"}.
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sendJson } from '../demo-kit/http-reply.js';
import type { Handler } from '../demo-kit/router.js';

export function uploadHandler(uploadsDir: string): Handler {
  return async ({ req, res }) => {
    await mkdir(uploadsDir, { recursive: true });
    const temp = join(uploadsDir, `.${randomUUID()}.part`);
    const hash = createHash('sha256');
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(req, meter, createWriteStream(temp, { flags: 'wx' }));
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    const sha256 = hash.digest('hex');
    await rename(temp, join(uploadsDir, sha256));
    sendJson(res, 200, { bytes, sha256 });
  };
}
