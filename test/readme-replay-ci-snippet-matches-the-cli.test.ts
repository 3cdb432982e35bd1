// The README's "before you deploy: replay in CI" step: its GitHub Actions job is valid YAML, its
// replay command is one the CLI accepts, and it targets the port the demo runs the orders service
// on; so the snippet, the CLI and the demo cannot drift apart.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseCommand } from '../src/cli/args.js';
import { readDemoSettings } from '../scripts/lib/demo/settings.js';

const repoFile = (name: string) => readFile(fileURLToPath(new URL(`../${name}`, import.meta.url)), 'utf8');

function words(command: string): string[] {
  return command.trim().replace(/^npx /, '').split(/\s+/).slice(1); // drop `strangler`
}

it("parses the README's replay CI job, and its replay command is valid against the demo's orders port", async () => {
  const readme = await repoFile('README.md');
  const block = /```yaml\n\s*# \.github\/workflows\/replay\.yml\n([\s\S]*?)```/.exec(readme);
  expect(block, 'the README has the replay workflow').not.toBeNull();
  const indent = /^(\s*)/.exec(block![1]!)![1]!.length;
  const workflow = parse(block![1]!.split('\n').map((l) => l.slice(indent)).join('\n')) as { jobs: Record<string, { steps: { run?: string }[] }> };
  const runs = Object.values(workflow.jobs).flatMap((j) => j.steps.map((s) => s.run ?? ''));
  const replayRun = runs.find((r) => r.includes('strangler replay'));
  expect(replayRun).toBeDefined();
  const cmd = parseCommand(words(replayRun!), {});
  expect(cmd.kind).toBe('replay');
  const orders = readDemoSettings({}, '/').ports.orders;
  if (cmd.kind === 'replay') {
    expect(cmd.target.port).toBe(String(orders));
    expect(cmd.files).toEqual(['capture/orders.jsonl']);
    expect(cmd.config).toBe('routes.yaml');
    expect(cmd.junit).toBe('replay-junit.xml');
  }

  const inline = /```bash\n\s*(npx strangler replay [^\n]+)/.exec(readme);
  expect(inline).not.toBeNull();
  const local = parseCommand(words(inline![1]!), {});
  expect(local.kind === 'replay' && local.target.port === String(orders)).toBe(true);
});
