// Bodies on the shadow path: collected bounded (server.maxBufferBytes), and decoded
// (content-encoding) with an output cap before they are compared. Pure but for the
// allocation of the collected chunks.

import zlib from 'node:zlib';

const MAX_CODINGS = 2;
const EMPTY = Buffer.alloc(0);

/** Decodes content-encoding (gzip, deflate, br; at most two codings) with an output cap. */
export function decodeBody(body: Buffer, encoding: string | undefined, cap: number): Buffer | 'too_large' | 'undecodable' {
  if (encoding === undefined || encoding === '' || encoding === 'identity') return body;
  const codings = encoding.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'identity');
  if (codings.length > MAX_CODINGS) return 'undecodable';
  let out = body;
  try {
    for (const c of codings.reverse()) {
      const opts = { maxOutputLength: cap };
      if (c === 'gzip' || c === 'x-gzip') out = zlib.gunzipSync(out, opts);
      else if (c === 'deflate') out = zlib.inflateSync(out, opts);
      else if (c === 'br') out = zlib.brotliDecompressSync(out, opts);
      else return 'undecodable';
    }
  } catch (err) {
    return (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? 'too_large' : 'undecodable';
  }
  return out;
}

/** A bounded body collector; a body that came in one chunk is kept as that chunk (no copy). */
export class BodyCollector {
  readonly #cap: number;
  #first: Buffer | null = null;
  #more: Buffer[] | null = null;
  #bytes = 0;
  /** More than the cap came: what was collected is dropped, `body` is empty. */
  over = false;
  constructor(cap: number) {
    this.#cap = cap;
  }
  add(chunk: Buffer): void {
    if (this.over) return;
    this.#bytes += chunk.length;
    if (this.#bytes > this.#cap) {
      this.over = true;
      this.#first = this.#more = null;
    } else if (this.#first === null) this.#first = chunk;
    else (this.#more ??= []).push(chunk);
  }
  get body(): Buffer {
    if (this.#first === null) return EMPTY;
    if (this.#more === null) return this.#first;
    return Buffer.concat([this.#first, ...this.#more], this.#bytes);
  }
}
