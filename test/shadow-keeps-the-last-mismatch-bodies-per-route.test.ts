// The dashboard's side-by-side view needs a mismatch's two bodies, which the report does not
// carry: the shadow store keeps them for each route's last 20 mismatches, each body clipped at
// 64 KiB (and said so), a binary body as its size only, and forgets them when the route's
// report starts afresh.

import { describe, expect, it } from 'vitest';
import { KEPT_BODY_MAX_BYTES, KEPT_PER_ROUTE } from '../src/shadow/bodies.js';
import type { Captured } from '../src/shadow/diff.js';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import { ShadowReports } from '../src/shadow/store.js';

const answer = (body: Buffer | string, type = 'application/json'): Captured => ({ status: 200, headers: { 'content-type': type }, body: Buffer.from(body) });
const mismatch = (route: string, i: number): ShadowEvent => ({
  at: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(), route, result: 'mismatch', method: 'GET', path: `${route}/${i}`,
  primaryStatus: 200, shadowStatus: 200, differences: [{ path: '$.n', kind: 'value', primary: i, shadow: String(i) }],
});

describe('the bodies of the last mismatches', () => {
  it('keeps the last 20 of each route, newest first, with their differences', () => {
    const reports = new ShadowReports();
    for (let i = 0; i < KEPT_PER_ROUTE + 5; i++) reports.bodies.keep(mismatch('/orders', i), 'json', answer(`{"n":${i}}`), answer(`{"n":"${i}"}`));
    reports.bodies.keep(mismatch('/users', 1), 'json', answer('{}'), answer('[]'));
    const kept = reports.bodies.list('/orders');
    expect(kept).toHaveLength(KEPT_PER_ROUTE);
    expect(kept[0]).toMatchObject({
      path: '/orders/24', mode: 'json', differences: [{ path: '$.n', kind: 'value' }],
      primary: { status: 200, contentType: 'application/json', body: '{"n":24}', bytes: 8, truncated: false, binary: false },
      shadow: { body: '{"n":"24"}' },
    });
    expect(kept.at(-1)!.path).toBe('/orders/5');
    expect(reports.bodies.list('/users')).toHaveLength(1);
  });

  it('clips a large body and keeps only the size of a binary one', () => {
    const reports = new ShadowReports();
    const big = 'é'.repeat(KEPT_BODY_MAX_BYTES); // two bytes each: the cut falls inside none
    reports.bodies.keep(mismatch('/files', 1), 'bytes', answer(big, 'text/plain'), answer(Buffer.from([0xff, 0x00, 0x01]), 'application/octet-stream'));
    const [k] = reports.bodies.list('/files');
    expect(k!.primary).toMatchObject({ bytes: KEPT_BODY_MAX_BYTES * 2, truncated: true, binary: false });
    expect(k!.primary.body).toBe('é'.repeat(KEPT_BODY_MAX_BYTES / 2));
    expect(k!.shadow).toEqual({ status: 200, contentType: 'application/octet-stream', body: '', bytes: 3, truncated: false, binary: true });
  });

  it('forgets a route\'s bodies when its report starts afresh', () => {
    const reports = new ShadowReports();
    reports.applyShadows([{ route: '/orders', key: 'a' }, { route: '/users', key: 'a' }]);
    reports.bodies.keep(mismatch('/orders', 1), 'json', answer('1'), answer('2'));
    reports.bodies.keep(mismatch('/users', 1), 'json', answer('1'), answer('2'));
    reports.reset('/orders');
    expect(reports.bodies.list('/orders')).toEqual([]);
    reports.applyShadows([{ route: '/orders', key: 'a' }, { route: '/users', key: 'b' }]);
    expect(reports.bodies.list('/users')).toEqual([]);
  });
});
