import { describe, expect, it } from 'vitest';
import { useLegacy } from './helpers.js';

describe('X-Served-By', () => {
  const legacy = useLegacy();

  it.each(['/users', '/users/99', '/', '/static/app.css', '/downloads/10', '/account'])('says legacy-monolith on GET %s', async (path) => {
    const res = await fetch(`${legacy.url}${path}`, { redirect: 'manual' });
    await res.arrayBuffer();
    expect(res.headers.get('x-served-by')).toBe('legacy-monolith');
  });
});
