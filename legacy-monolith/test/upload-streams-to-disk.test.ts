import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { useLegacy } from './helpers.js';

const CHUNK = 64 * 1024;
const CHUNKS = 160; // 10 MiB, sent chunked: the server cannot know the size up front

/** Chunk i repeats the 64-byte sha512 of i: different in every chunk, reproducible. */
function chunkOf(index: number): Buffer {
  return Buffer.alloc(CHUNK, createHash('sha512').update(String(index)).digest());
}

function upload(url: string, body: Readable): Promise<{ status: number; json: { bytes: number; sha256: string } }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/uploads`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    pipeline(body, req).catch(reject);
  });
}

describe('POST /uploads', () => {
  const legacy = useLegacy();

  it('streams a chunked body to a file in the data dir and answers its size and sha256', async () => {
    const expected = createHash('sha256');
    for (let i = 0; i < CHUNKS; i++) expected.update(chunkOf(i));
    const sha256 = expected.digest('hex');

    const answer = await upload(legacy.url, Readable.from((function* () {
      for (let i = 0; i < CHUNKS; i++) yield chunkOf(i);
    })()));

    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ bytes: CHUNK * CHUNKS, sha256 });
    const uploads = join(legacy.dataDir, 'uploads');
    expect(await readdir(uploads)).toEqual([sha256]);
    expect(createHash('sha256').update(await readFile(join(uploads, sha256))).digest('hex')).toBe(sha256);
  });

  it('accepts an empty body', async () => {
    const answer = await upload(legacy.url, Readable.from([]));
    expect(answer.json).toEqual({ bytes: 0, sha256: createHash('sha256').digest('hex') });
  });
});
