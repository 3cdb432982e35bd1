import { describe, expect, it } from 'vitest';
import { useLegacy } from './helpers.js';

describe('GET /static/*', () => {
  const legacy = useLegacy();

  it.each([
    ['app.css', 'text/css; charset=utf-8', /body \{/],
    ['logo.svg', 'image/svg+xml', /^<svg /],
  ])('serves %s with its content type and an ETag, then 304 for If-None-Match', async (name, type, content) => {
    const first = await fetch(`${legacy.url}/static/${name}`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe(type);
    expect(await first.text()).toMatch(content);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[^"]+"$/);

    const again = await fetch(`${legacy.url}/static/${name}`, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');

    const weak = await fetch(`${legacy.url}/static/${name}`, { headers: { 'if-none-match': `"other", W/${etag}` } });
    expect(weak.status).toBe(304);
  });

  it('answers 200 when If-None-Match names another version', async () => {
    const res = await fetch(`${legacy.url}/static/app.css`, { headers: { 'if-none-match': '"stale"' } });
    expect(res.status).toBe(200);
  });

  it('answers 404 for an unknown asset', async () => {
    expect((await fetch(`${legacy.url}/static/missing.js`)).status).toBe(404);
  });
});
