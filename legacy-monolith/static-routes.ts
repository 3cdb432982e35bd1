// GET /static/:name for the few built-in assets, with a strong ETag and 304 Not Modified
// when the client's If-None-Match already names it.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { notFound } from '../demo-kit/http-error.js';
import type { Router } from '../demo-kit/router.js';
import { APP_CSS } from './static/app-css.js';
import { LOGO_SVG } from './static/logo-svg.js';

interface Asset {
  body: Buffer;
  contentType: string;
  etag: string;
}

const ASSETS = new Map<string, Asset>([
  ['app.css', asset(APP_CSS, 'text/css; charset=utf-8')],
  ['logo.svg', asset(LOGO_SVG, 'image/svg+xml')],
]);

export function addStaticRoutes(router: Router): void {
  router.get('/static/:name', ({ req, res, params }) => {
    const found = ASSETS.get(params.name ?? '');
    if (!found) throw notFound(`/static/${params.name}`);
    const headers = { etag: found.etag, 'cache-control': 'no-cache' };
    if (matchesEtag(req, found.etag)) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': found.contentType, 'content-length': found.body.length });
    res.end(found.body);
  });
}

function asset(text: string, contentType: string): Asset {
  const body = Buffer.from(text);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { body, contentType, etag };
}

/** If-None-Match uses the weak comparison: W/"x" matches "x"; "*" matches anything. */
function matchesEtag(req: IncomingMessage, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}
