// `strangler replay --junit FILE`: JUnit XML for CI, read back by an XML parser. One <testsuite>
// per route, one <testcase> per endpoint template (`GET /orders/{id}`); a failing case names each
// differing path with one example request and both values; text from traffic (a key with `<`, `&`
// and quotes) comes back intact; a case whose requests were all skipped is <skipped>.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type http from 'node:http';
import { parseDocument, DomUtils } from 'htmlparser2';
import type { Element } from 'domhandler';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { writeRecording } from './helpers/recording.js';
import { startUpstream, type Upstream } from './helpers/servers.js';

let candidate: Upstream | undefined;
afterEach(async () => {
  await candidate?.close();
  candidate = undefined;
});

const ODD_KEY = `a<b&"c'`;

describe('strangler replay --junit', () => {
  it('writes one test case per endpoint template, failures naming the differing paths with an example', async () => {
    const file = await writeRecording([
      { path: '/orders/1', body: { id: 1, total: 10, [ODD_KEY]: 'x' } },
      { path: '/orders/2?expand=items', body: { id: 2, total: 20, [ODD_KEY]: 'x' } },
      { path: '/orders', body: [{ id: 1 }, { id: 2 }] },
      { path: '/users/7', route: '/users', body: { id: 7 } },
      { method: 'POST', path: '/users', route: '/users', requestBody: '{}', status: 201, body: { id: 8 } },
    ]);
    candidate = await startUpstream((req: http.IncomingMessage, res: http.ServerResponse) => {
      const p = (req.url ?? '').split('?')[0]!;
      const id = Number(p.split('/')[2]);
      const body = p === '/orders' ? [{ id: 1 }, { id: 2 }] : p.startsWith('/users/') ? { id } : { id, total: id === 2 ? 21 : 10 * id, [ODD_KEY]: 'y' };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    const junit = path.join(path.dirname(file), 'replay.xml');
    const r = await cli(['replay', file, '--target', candidate.url, '--junit', junit]);
    expect(r.code).toBe(1);

    const xml = await readFile(junit, 'utf8');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    const doc = parseDocument(xml, { xmlMode: true, decodeEntities: true });
    const root = DomUtils.findOne((e) => e.name === 'testsuites', doc.children)!;
    expect(root.attribs).toMatchObject({ tests: '4', failures: '1', errors: '0', skipped: '1' });

    const suites = DomUtils.findAll((e) => e.name === 'testsuite', doc.children);
    expect(suites.map((s) => s.attribs.name)).toEqual(['/orders', '/users']);
    const cases = DomUtils.findAll((e) => e.name === 'testcase', doc.children);
    expect(cases.map((c) => `${c.attribs.classname} ${c.attribs.name}`)).toEqual(['/orders GET /orders', '/orders GET /orders/{id}', '/users GET /users/{id}', '/users POST /users']);

    const byName = (n: string): Element => cases.find((c) => c.attribs.name === n)!;
    expect(DomUtils.findOne((e) => e.name === 'failure', byName('GET /orders').children)).toBeNull();
    const failure = DomUtils.findOne((e) => e.name === 'failure', byName('GET /orders/{id}').children)!;
    expect(failure.attribs.message).toMatch(/^2 of 2 requests differ at \$.*a<b&"c.*, \$\.total$/); // both paths, entities decoded
    const text = DomUtils.textContent(failure);
    expect(text).toContain('$.total: 1 request(s); e.g. GET /orders/2?expand=items: recorded 20, candidate 21 (value)');
    expect(text).toContain(`$['a<b&"c\\'']: 2 request(s)`); // the key as the JSON path names it, entities decoded
    expect(DomUtils.findOne((e) => e.name === 'skipped', byName('POST /users').children)!.attribs.message).toBe('not replayed: method_not_replayed 1');
  });
});
