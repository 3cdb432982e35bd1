import { describe, expect, it } from 'vitest';
import { useLegacy } from './helpers.js';

describe('GET /downloads/:bytes', () => {
  const legacy = useLegacy();

  it('streams exactly N bytes where byte i is i % 251', async () => {
    const size = 3_000_001;
    const res = await fetch(`${legacy.url}/downloads/${size}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-length')).toBe(String(size));
    const body = new Uint8Array(await res.arrayBuffer());
    expect(body.length).toBe(size);
    const firstWrong = body.findIndex((byte, i) => byte !== i % 251);
    expect(firstWrong).toBe(-1);
  });

  it('answers an empty body for 0 bytes', async () => {
    const res = await fetch(`${legacy.url}/downloads/0`);
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('answers 400 when the size is not a whole number', async () => {
    const res = await fetch(`${legacy.url}/downloads/12kb`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'validation_failed', details: [{ field: 'bytes' }] });
  });
});
