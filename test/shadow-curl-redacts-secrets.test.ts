// curlFor: a replay command with secrets redacted and every argument safely shell-quoted.
// The quoting is checked by handing the command to a real shell (sh) with `curl` replaced by
// a function that prints its arguments, one per line.

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { curlFor, REDACTED, shellQuote } from '../src/shadow/curl.js';

/** The argv a POSIX shell builds from the command (curl itself never runs). */
function argvOf(command: string): string[] {
  const script = `curl() { for a in "$@"; do printf '%s\\0' "$a"; done; }\n${command}\n`;
  const out = execFileSync('sh', ['-c', script], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('curlFor', () => {
  it('redacts Authorization, Cookie, Proxy-Authorization and X-Api-Key values, keeps the rest', () => {
    const cmd = curlFor('GET', 'http://users-next:8001/users/42?x=1&y=2', {
      Authorization: 'Bearer s3cr3t-token',
      cookie: ['session=abc123', 'theme=dark'],
      'Proxy-Authorization': 'Basic dXNlcjpwYXNz',
      'x-api-key': 'k-123',
      accept: 'application/json',
      'x-request-id': 'req-1',
    });
    for (const secret of ['s3cr3t', 'abc123', 'dark', 'dXNlcjpwYXNz', 'k-123']) expect(cmd).not.toContain(secret);
    expect(cmd).toContain(`-H 'Authorization: <redacted>'`);
    expect(argvOf(cmd)).toEqual([
      'http://users-next:8001/users/42?x=1&y=2',
      '-H',
      `Authorization: ${REDACTED}`,
      '-H',
      `cookie: ${REDACTED}`,
      '-H',
      `Proxy-Authorization: ${REDACTED}`,
      '-H',
      `x-api-key: ${REDACTED}`,
      '-H',
      'accept: application/json',
      '-H',
      'x-request-id: req-1',
    ]);
  });

  it('redacts extra names on request, in any case; leaves out hop-by-hop and computed headers', () => {
    const cmd = curlFor(
      'GET',
      'http://h/p',
      [
        ['X-Session-Token', 'tok'],
        ['Content-Length', '0'],
        ['Connection', 'keep-alive'],
        ['Host', 'shop.example'],
      ],
      undefined,
      { redact: ['x-session-token'] },
    );
    expect(cmd).not.toContain('tok\'');
    expect(argvOf(cmd)).toEqual(['http://h/p', '-H', `X-Session-Token: ${REDACTED}`, '-H', 'Host: shop.example']);
  });

  it('quotes hostile values so the shell runs nothing and passes them through verbatim', () => {
    const evil = `it's $(touch /tmp/pwned) \`id\` "$HOME" ; rm -rf / \\ end`;
    const cmd = curlFor('POST', `http://h/p?q='&a=$(id)`, { 'x-note': evil }, `{"text":"${evil}"}`);
    expect(argvOf(cmd)).toEqual([
      '-X',
      'POST',
      `http://h/p?q='&a=$(id)`,
      '-H',
      `x-note: ${evil}`,
      '--data-raw',
      `{"text":"${evil}"}`,
    ]);
  });

  it('HEAD uses --head, other methods -X, GET with a body too; brackets get --globoff', () => {
    expect(argvOf(curlFor('HEAD', 'http://h/p', {}))).toEqual(['--head', 'http://h/p']);
    expect(argvOf(curlFor('delete', 'http://h/p', {}))).toEqual(['-X', 'DELETE', 'http://h/p']);
    expect(argvOf(curlFor('GET', 'http://h/p', {}, 'q'))).toEqual(['-X', 'GET', 'http://h/p', '--data-raw', 'q']);
    expect(argvOf(curlFor('GET', 'http://h/p?ids[]=1', {}))).toEqual(['--globoff', 'http://h/p?ids[]=1']);
  });

  it('a body starting with @ is data, not a file; multi-line bodies survive; binary or huge bodies are left out', () => {
    expect(argvOf(curlFor('POST', 'http://h/p', {}, '@/etc/passwd'))).toEqual(['-X', 'POST', 'http://h/p', '--data-raw', '@/etc/passwd']);
    expect(argvOf(curlFor('POST', 'http://h/p', {}, 'a\nb\n'))).toEqual(['-X', 'POST', 'http://h/p', '--data-raw', 'a\nb\n']);
    const bin = curlFor('PUT', 'http://h/p', {}, Buffer.from([0, 1, 2, 255]));
    expect(bin).toBe("curl -X PUT http://h/p # body omitted: 4 bytes, binary");
    expect(argvOf(bin)).toEqual(['-X', 'PUT', 'http://h/p']);
    const big = curlFor('POST', 'http://h/p', {}, 'x'.repeat(70_000));
    expect(big).toMatch(/# body omitted: 70,000 bytes, too large$/);
  });

  it('an empty header value is written Name; and header values cannot break the line', () => {
    expect(argvOf(curlFor('GET', 'http://h/p', { 'x-empty': '', 'x-multi': 'a\r\nInjected: 1' }))).toEqual([
      'http://h/p',
      '-H',
      'x-empty;',
      '-H',
      'x-multi: a Injected: 1',
    ]);
  });

  it('shellQuote leaves safe words bare and single-quotes the rest', () => {
    expect(shellQuote('GET')).toBe('GET');
    expect(shellQuote('http://h:80/a-b_c.d')).toBe('http://h:80/a-b_c.d');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('a b')).toBe("'a b'");
  });
});
