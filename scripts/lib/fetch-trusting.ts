// fetch for the bench's checks, trusting the bench's private CA for its HTTPS targets.
import { readFileSync } from 'node:fs';
import { Agent, fetch } from 'undici';

const agents = new Map<string, Agent>();

/** fetch(url), trusting the CA in `caFile` (instead of the system's) when given. */
export function fetchTrusting(url: string, caFile: string | undefined, init: { signal?: AbortSignal } = {}): ReturnType<typeof fetch> {
  if (caFile === undefined) return fetch(url, init);
  let agent = agents.get(caFile);
  if (agent === undefined) agents.set(caFile, (agent = new Agent({ connect: { ca: readFileSync(caFile) } })));
  return fetch(url, { ...init, dispatcher: agent });
}
