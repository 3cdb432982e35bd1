// A tiny method + path router: "/users/:id" patterns, 405 with Allow for a known path and
// another method, 404 otherwise, and HttpError -> JSON answers in one place. HEAD runs the
// GET handler (node drops the body of a HEAD response).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http-error.js';
import { sendJson } from './http-reply.js';

export interface Context {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  url: URL;
}

export type Handler = (ctx: Context) => void | Promise<void>;

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

export class Router {
  readonly #routes: Route[] = [];

  get(pattern: string, handler: Handler): void {
    this.on('GET', pattern, handler);
  }
  post(pattern: string, handler: Handler): void {
    this.on('POST', pattern, handler);
  }
  put(pattern: string, handler: Handler): void {
    this.on('PUT', pattern, handler);
  }
  delete(pattern: string, handler: Handler): void {
    this.on('DELETE', pattern, handler);
  }

  on(method: string, pattern: string, handler: Handler): void {
    this.#routes.push({ method, segments: pattern.split('/').slice(1), handler });
  }

  /** Answers one request; never rejects. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.dispatch(req, res);
    } catch (err) {
      answerError(req, res, err);
    }
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = parseTarget(req.url ?? '/');
    const segments = url.pathname.split('/').slice(1);
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    const allowed: string[] = [];
    for (const route of this.#routes) {
      const params = match(route.segments, segments);
      if (!params) continue;
      if (route.method === method) return route.handler({ req, res, params, url });
      allowed.push(route.method);
    }
    if (allowed.length > 0) {
      throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed on ${url.pathname}`, {
        headers: { allow: allowed.join(', ') },
      });
    }
    throw new HttpError(404, 'not_found', `nothing at ${url.pathname}`);
  }
}

/** "/a//b?q" keeps its path as sent; an absolute-form target ("http://h/p") is read as a URL. */
function parseTarget(target: string): URL {
  try {
    return new URL(target.startsWith('/') ? `http://localhost${target}` : target);
  } catch {
    throw new HttpError(400, 'bad_request', `cannot read the request target ${JSON.stringify(target)}`);
  }
}

function match(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i]!;
    const got = segments[i]!;
    if (want.startsWith(':')) {
      if (got === '') return undefined;
      params[want.slice(1)] = got;
    } else if (want !== got) {
      return undefined;
    }
  }
  return params;
}

function answerError(req: IncomingMessage, res: ServerResponse, err: unknown): void {
  if (res.headersSent || req.socket.destroyed) {
    // The client went away, or a streamed answer failed half-way: nothing more can be said.
    res.destroy();
    return;
  }
  if (err instanceof HttpError) {
    sendJson(res, err.status, err.body(), err.extras.headers);
    return;
  }
  console.error(err);
  sendJson(res, 500, { error: 'internal_error', message: 'the server failed to answer; see its log' });
}
