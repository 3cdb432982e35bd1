// A relative server.shadowLog names a file next to routes.yaml, whatever the proxy's working
// directory, as record.file and the TLS files do (a config in deploy/config/ keeps its shadow
// log there); an absolute one is kept as written.
import path from 'node:path';
import { expect, it } from 'vitest';
import { loadRoutesFile } from '../src/routing/source.js';
import { writeConfig } from './helpers/servers.js';

const ROUTES = 'upstreams:\n  legacy: { url: http://127.0.0.1:8000 }\nroutes:\n  - { prefix: /, upstream: legacy }\n';

it('resolves a relative shadowLog against the routes file folder, not the working directory', async () => {
  const file = await writeConfig(`server:\n  shadowLog: ./logs/shadow.jsonl\n${ROUTES}`);
  expect(path.dirname(file)).not.toBe(process.cwd());
  const loaded = await loadRoutesFile(file, {});
  expect(loaded.ok && loaded.effective.server.shadowLog).toBe(path.join(path.dirname(file), 'logs', 'shadow.jsonl'));
});

it('keeps an absolute shadowLog, and none as none', async () => {
  const absolute = await loadRoutesFile(await writeConfig(`server:\n  shadowLog: /var/log/strangler/shadow.jsonl\n${ROUTES}`), {});
  expect(absolute.ok && absolute.effective.server.shadowLog).toBe('/var/log/strangler/shadow.jsonl');
  const none = await loadRoutesFile(await writeConfig(ROUTES), {});
  expect(none.ok && none.effective.server.shadowLog).toBeNull();
});
