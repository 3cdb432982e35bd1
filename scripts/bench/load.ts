// Load runner interface and the choice between wrk (preferred) and autocannon (fallback).
import { hasCommand } from './cpu.js';
import { autocannonRunner } from './load-autocannon.js';
import { wrkRunner } from './load-wrk.js';

export interface LoadOptions {
  readonly connections: number;
  readonly durationS: number;
  readonly cpu?: number | undefined;   // pin the load generator here
}

export interface LoadResult {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly errors: number;        // socket errors + timeouts
  readonly non2xx: number;
}

export interface LoadRunner {
  readonly name: string;          // with version, for the header
  run(url: string, opts: LoadOptions): Promise<LoadResult>;
}

export function pickLoadRunner(prefer?: 'wrk' | 'autocannon'): LoadRunner {
  if (prefer !== 'autocannon' && hasCommand('wrk')) return wrkRunner();
  if (prefer === 'wrk') throw new Error('--load wrk: wrk is not installed');
  return autocannonRunner(prefer === 'autocannon' ? '--load autocannon' : 'wrk not installed');
}
