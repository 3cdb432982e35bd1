import { describe, expect, it } from 'vitest';
import { fetchJson, useLegacy } from './helpers.js';

describe('GET / (the dashboard)', () => {
  const legacy = useLegacy();

  it('renders every user and the recent orders as HTML that links the stylesheet', async () => {
    await fetchJson(`${legacy.url}/orders`, { body: { userId: 3, product: 'Bombe drum', quantity: 4 } });
    const res = await fetch(`${legacy.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<link rel="stylesheet" href="/static/app.css">');
    for (const name of ['Ada Lovelace', 'Grace Hopper', 'Alan Turing']) expect(html).toContain(name);
    expect(html).toContain('Bombe drum');
  });

  it('escapes what users typed', async () => {
    await fetchJson(`${legacy.url}/users`, { body: { email: 'mallory@example.com', name: '<script>alert(1)</script>' } });
    const html = await (await fetch(`${legacy.url}/`)).text();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
  });
});
