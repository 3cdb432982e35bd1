// For the forward-auth tests: a small monolith with cookie sessions and GET /auth/whoami, and an
// upstream that answers with the headers it received.

import http from 'node:http';
import { startUpstream, type Upstream } from './servers.js';

export interface AuthMonolith extends Upstream {
  /** Every /auth/whoami request's headers, in arrival order. */
  readonly whoami: http.IncomingHttpHeaders[];
  /** Logs in `user` (a name known below) and returns its Cookie header value. */
  login(user: string): Promise<string>;
  /** How /auth/whoami behaves from now on: as a monolith would, answering 500, slowly (after
   *  `delayMs`), held until `release()`, or with a 401 body of 100 KiB. */
  mode: 'normal' | 'fail' | 'slow' | 'held' | 'huge';
  delayMs: number;
  /** Headers added to every 2xx, 401 and 403 answer of /auth/whoami (e.g. a Set-Cookie). */
  answerHeaders: Record<string, string>;
  release(): void;
}

const USERS: Record<string, { id: string; roles: string | null; banned?: true }> = {
  ada: { id: '1', roles: 'admin, billing' },
  grace: { id: '2', roles: null },
  mallory: { id: '66', roles: null, banned: true },
};

export async function startAuthMonolith(): Promise<AuthMonolith> {
  const sessions = new Map<string, string>();
  let next = 0;
  let held: (() => void)[] = [];
  const whoami: http.IncomingHttpHeaders[] = [];
  const sidOf = (req: http.IncomingMessage) => /(?:^|;\s*)sid=([^;]*)/.exec(req.headers.cookie ?? '')?.[1];

  const answerWhoami = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const sid = sidOf(req);
    if (sid === 'expired') {
      res.writeHead(302, { location: `/login?next=${encodeURIComponent(String(req.headers['x-forwarded-uri']))}`, 'content-type': 'text/plain', 'set-cookie': 'sid=; Max-Age=0' });
      return res.end('to the login page');
    }
    const name = sid === undefined ? undefined : sessions.get(sid);
    const user = name === undefined ? undefined : USERS[name];
    if (user === undefined) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Session realm="legacy"', 'x-extra': 'kept', ...m.answerHeaders });
      return res.end('{"error":"not signed in"}');
    }
    // Authorization by the request it is told of, as Traefik ForwardAuth users do: /api/admin is
    // for admins only.
    if (user.banned || (String(req.headers['x-forwarded-uri']).startsWith('/api/admin') && !(user.roles ?? '').includes('admin'))) {
      res.writeHead(403, { 'content-type': 'application/json', ...m.answerHeaders });
      return res.end(user.banned ? '{"error":"banned"}' : '{"error":"admins only"}');
    }
    res.writeHead(200, {
      'content-type': 'application/json',
      'x-user-id': user.id,
      ...(user.roles === null ? {} : { 'x-user-roles': user.roles }),
      'x-internal-secret': 'never-copied',
      ...m.answerHeaders,
    });
    res.end(JSON.stringify({ user: name }));
  };

  const up = await startUpstream((req, res) => {
    if (req.url === '/login' && req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const sid = `s${++next}`;
        sessions.set(sid, body);
        res.writeHead(204, { 'set-cookie': `sid=${sid}; HttpOnly; Path=/` }).end();
      });
      return;
    }
    if (req.url?.startsWith('/auth/whoami')) {
      whoami.push(req.headers);
      if (m.mode === 'fail') return res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
      if (m.mode === 'slow') return void setTimeout(() => answerWhoami(req, res), m.delayMs);
      if (m.mode === 'huge') return res.writeHead(401, { 'content-type': 'text/plain' }).end('x'.repeat(100 * 1024));
      if (m.mode === 'held') return void held.push(() => answerWhoami(req, res));
      return answerWhoami(req, res);
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end('the monolith');
  });
  const m: AuthMonolith = {
    ...up,
    whoami,
    mode: 'normal',
    delayMs: 0,
    answerHeaders: {},
    release: () => {
      const h = held;
      held = [];
      for (const f of h) f();
    },
    login: async (user) => {
      const res = await fetch(`${up.url}/login`, { method: 'POST', body: user });
      return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    },
  };
  return m;
}

/** An upstream answering 200 with the headers it received as JSON. */
export function startEcho(): Promise<Upstream> {
  return startUpstream((req, res) => {
    const body = JSON.stringify({ url: req.url, headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  });
}

/** routes.yaml with a `legacy-session` forward authenticator on /api (echo) and the rest open. */
export function forwardAuthYaml(monolith: string, echo: string, extra = ''): string {
  return `upstreams:
  legacy: { url: "${monolith}" }
  echo: { url: "${echo}" }
auth:
  legacy-session:
    forward:
      upstream: legacy
      path: /auth/whoami
      headers: [cookie, authorization]
      copyHeaders: [x-user-id, x-user-roles]
${extra}routes:
  - { prefix: /api, upstream: echo, auth: legacy-session }
  - { prefix: /, upstream: echo }
`;
}
