// Writing whole responses: JSON, HTML and redirects.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body), headers);
}

export function sendHtml(res: ServerResponse, status: number, html: string, headers: OutgoingHttpHeaders = {}): void {
  send(res, status, 'text/html; charset=utf-8', html, headers);
}

export function redirect(res: ServerResponse, location: string, headers: OutgoingHttpHeaders = {}): void {
  res.writeHead(302, { ...headers, location, 'content-length': 0 });
  res.end();
}

function send(res: ServerResponse, status: number, type: string, text: string, headers: OutgoingHttpHeaders): void {
  const body = Buffer.from(text);
  res.writeHead(status, { ...headers, 'content-type': type, 'content-length': body.length });
  res.end(body);
}
