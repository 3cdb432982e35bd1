import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { flushed, recordedLines, send } from './helpers/recorded-lines.js';

let up: Upstream | undefined, proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

const card = JSON.stringify({ card: { number: '4111SECRET', name: 'Ann' } });

describe('a route with redactJson', () => {
  it('redacts a JSON body labelled form, text or nothing, and never writes a form or encoded body in clear', async () => {
    up = await startUpstream((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.headers['content-encoding'] !== undefined) res.setHeader('content-encoding', req.headers['content-encoding']);
        if (req.headers['content-type'] !== undefined) res.setHeader('content-type', req.headers['content-type']);
        res.end(Buffer.concat(chunks));
      });
    });
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + `routes:
  - prefix: /s
    upstream: app
    record: { file: ./s.jsonl, methods: [POST], redactJson: ["$.card.number"] }
`);
    const file = path.join(path.dirname(proxy.file), 's.jsonl');
    await send(proxy.url + '/s/form-json', 'POST', { 'content-type': 'application/x-www-form-urlencoded' }, card);
    await send(proxy.url + '/s/none', 'POST', {}, '  \n' + card);
    await send(proxy.url + '/s/text', 'POST', { 'content-type': 'text/plain' }, card);
    await send(proxy.url + '/s/form', 'POST', { 'content-type': 'application/x-www-form-urlencoded' }, 'card%5Bnumber%5D=4111SECRET');
    await send(proxy.url + '/s/encoded', 'POST', { 'content-type': 'text/plain', 'content-encoding': 'gzip' }, 'plain 4111SECRET');
    await send(proxy.url + '/s/plain', 'POST', { 'content-type': 'text/plain' }, 'just text');
    await flushed(proxy, file);
    const lines = await recordedLines(file);
    expect(lines).toHaveLength(6);
    expect(JSON.stringify(lines)).not.toContain('4111SECRET');
    const byPath = new Map(lines.map((l) => [l.request.path as string, l]));
    const redacted = { card: { number: '<redacted>', name: 'Ann' } };
    expect(JSON.parse(byPath.get('/s/form-json')!.request.body.data)).toEqual(redacted);
    expect(JSON.parse(byPath.get('/s/none')!.request.body.data)).toEqual(redacted);
    expect(JSON.parse(byPath.get('/s/text')!.response.body.data)).toEqual(redacted);
    expect(byPath.get('/s/form')!.request.body).toMatchObject({ data: null, redactionFailed: true });
    expect(byPath.get('/s/form')!.response.body).toMatchObject({ data: null, redactionFailed: true });
    expect(byPath.get('/s/encoded')!.request.body).toMatchObject({ data: null, redactionFailed: true });
    expect(byPath.get('/s/encoded')!.response.body).toMatchObject({ data: null, redactionFailed: true });
    expect(byPath.get('/s/plain')!.request.body.data).toBe('just text');
  });
});
