// One option table parses every command's flags; a flag the command does not take is refused
// (exit 2, naming the flag and what the command takes), never silently ignored: a CI gate written
// as `strangler status --fail-under 100` would otherwise pass by doing nothing. --token goes
// with --admin wherever --admin does (check, report, status).
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { startProxy, startUpstream, upstreamsYaml } from './helpers/servers.js';

describe('a flag of another command', () => {
  it.each([
    [['status', '--fail-under', '100'], '--fail-under is not an option of status (it takes --admin, --token, --json)'],
    [['report', '--workers', '3'], '--workers is not an option of report'],
    [['report', '--port', '5'], '--port is not an option of report'],
    [['check', 'routes.yaml', '--fail-under', '100'], '--fail-under is not an option of check'],
    [['check', 'routes.yaml', '--file', 'x.jsonl'], '--file is not an option of check'],
    [['check', 'routes.yaml', '--top', '3'], '--top is not an option of check'],
    [['--json'], '--json is not an option of serving'],
    [['serve', '--admin', 'http://127.0.0.1:9901'], '--admin is not an option of serving'],
  ])('strangler %j exits 2 and names it', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`strangler: ${message}`);
    expect(r.out).toBe('');
  });
});

describe('--token', () => {
  it('is sent as the bearer token by report and check, as by status', async () => {
    const up = await startUpstream((_req, res) => res.end('ok'));
    const proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n', { adminToken: 's3cret' });
    try {
      const report = await cli(['report', '--admin', proxy.adminUrl, '--token', 's3cret', '--json']);
      expect(report.err).toBe('');
      expect(report.code).toBe(0);
      const denied = await cli(['report', '--admin', proxy.adminUrl, '--token', 'wrong']);
      expect(denied.code).toBe(1);
      expect(denied.err).toContain('401');

      const check = await cli(['check', proxy.file, '--admin', proxy.adminUrl, '--token', 's3cret']);
      expect(check.code).toBe(0);
      expect(check.out).toContain('no changes against the running proxy');

      // The flag wins over ADMIN_TOKEN, as flags win over the environment everywhere.
      const status = await cli(['status', '--admin', proxy.adminUrl, '--token', 's3cret', '--json'], { ADMIN_TOKEN: 'wrong' });
      expect(status.code).toBe(0);
    } finally {
      await proxy.close();
      await up.close();
    }
  });
});

describe('a usage error', () => {
  it('is the error and where the usage is, not the whole usage burying it; a mistyped command is named back', async () => {
    const typo = await cli(['chek', 'routes.yaml']);
    expect(typo.code).toBe(2);
    expect(typo.err).toBe("strangler: unknown command 'chek' (did you mean 'check'?)\n(strangler --help shows the usage)\n");
    const unknown = await cli(['migrate']);
    expect(unknown.err).toContain("unknown command 'migrate' (the commands: serve, check, report, status, replay)");
    expect((await cli(['stauts'])).err).toContain("(did you mean 'status'?)");
    // node's parseArgs advice on '-' positionals (with a quote it never closes) is left out.
    for (const args of [['--bogus'], ['replay', 'x.jsonl', '--bogus']]) {
      const r = await cli(args);
      expect(r.err.split('\n')[0]).toMatch(/^strangler( replay)?: Unknown option '--bogus'( \(strangler --help shows the usage\))?$/);
    }
    const missing = await cli(['--port']);
    expect(missing.code).toBe(2);
    expect(missing.err.trim().split('\n')).toHaveLength(2);
  });
});
