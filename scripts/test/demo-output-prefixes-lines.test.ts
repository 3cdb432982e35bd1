import { describe, expect, it } from 'vitest';
import { Output, wantsColor } from '../lib/demo/output.js';

const strip = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

describe("the demo's line prefixes", () => {
  it('are the same width for every part of the stack', () => {
    const plain = new Output(false);
    expect(['legacy', 'users', 'orders', 'proxy', 'demo'].map((name) => plain.prefix(name))).toEqual(['[legacy] ', '[users]  ', '[orders] ', '[proxy]  ', '[demo]   ']);
  });

  it('are colored without changing their visible width', () => {
    const colored = new Output(true);
    expect(colored.prefix('users')).toBe('\x1b[32m[users]\x1b[0m  ');
    expect(strip(colored.prefix('legacy'))).toBe('[legacy] ');
  });

  it('are colored only on a terminal and never with NO_COLOR', () => {
    expect(wantsColor({}, true)).toBe(true);
    expect(wantsColor({}, false)).toBe(false);
    expect(wantsColor({ NO_COLOR: '1' }, true)).toBe(false);
  });
});
