// The routes.yaml skeleton of the fault and canary drills: the monolith ("legacy") and the users
// upstream, a /users route whose settings are the scenario's, everything else on the monolith.
// Loopback only.

export interface DrillRoutesOptions {
  /** The first line's comment: who wrote the file and what the scenario does. */
  readonly comment: string;
  readonly legacyUrl: string;
  readonly usersUrl: string;
  /** The /users route's settings, one `key: value` line each (indented here). */
  readonly usersRoute: readonly string[];
}

export function drillRoutesYaml(o: DrillRoutesOptions): string {
  return `# ${o.comment}
server:
  host: 127.0.0.1
  adminHost: 127.0.0.1
  drainTimeoutMs: 2000

upstreams:
  legacy:
    url: ${o.legacyUrl}
  users:
    url: ${o.usersUrl}

routes:
  - prefix: /users
${o.usersRoute.map((line) => `    ${line}\n`).join('')}
  - prefix: /
    upstream: legacy
`;
}
