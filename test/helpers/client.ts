// A plain node:http client for tests that watch how a response ends.
import http from 'node:http';

/** GET `url` with X-Request-Id `id`, no agent; the request is kept in `clients` (destroy them after each test). */
export function trackedGet(clients: http.ClientRequest[], url: string, id: string, headers: Record<string, string> = {}): http.ClientRequest {
  const req = http.get(url, { agent: false, headers: { 'x-request-id': id, ...headers } });
  req.on('error', () => {});
  clients.push(req);
  return req;
}

/** How the client's response ended: 'end' (complete) or 'error' (broken). */
export function ending(res: http.IncomingMessage): Promise<'end' | 'error'> {
  return new Promise((resolve) => {
    res.on('end', () => resolve('end'));
    res.on('error', () => resolve('error'));
    res.on('aborted', () => resolve('error'));
    res.on('close', () => resolve(res.complete ? 'end' : 'error'));
  });
}

/** One GET on a connection of its own (with --workers, the primary hands each new connection to a
 *  worker, so a test that wants both workers answering opens one per request). */
export function freshGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false, headers }, async (res) => {
      let body = '';
      for await (const c of res) body += c;
      resolve({ status: res.statusCode!, headers: res.headers, body });
    }).on('error', reject);
  });
}
