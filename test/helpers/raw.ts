// Raw-socket HTTP for requests no well-behaved client would send.

import { once } from 'node:events';
import net from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly head: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Writes `request` bytes as-is and reads until the server closes or a full response arrived. */
export function rawRequest(port: number, request: string | Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const tryParse = (final: boolean): boolean => {
      const text = Buffer.concat(chunks).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end === -1) {
        if (final) reject(new Error(`no complete response head: ${JSON.stringify(text)}`));
        return false;
      }
      const head = text.slice(0, end);
      const headers: Record<string, string> = {};
      for (const line of head.split('\r\n').slice(1)) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      const body = text.slice(end + 4);
      const length = headers['content-length'];
      if (!final && (length === undefined || body.length < Number(length))) return false;
      socket.destroy();
      resolve({ status: Number(head.split(' ')[1]), head, headers, body });
      return true;
    };
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      tryParse(false);
    });
    socket.on('end', () => tryParse(true));
    socket.on('error', (err) => {
      if (chunks.length > 0) tryParse(true);
      else reject(err);
    });
    socket.write(request);
  });
}

/** An upstream writing exact bytes: per request path, everything it answers. */
export async function rawUpstream(answers: Record<string, string>): Promise<net.Server> {
  const server = net.createServer((socket) => {
    let pending = '';
    socket.on('data', (c: Buffer) => {
      pending += c.toString('latin1');
      let end: number;
      while ((end = pending.indexOf('\r\n\r\n')) !== -1) {
        const path = pending.slice(0, end).split(' ')[1]!;
        pending = pending.slice(end + 4);
        socket.write(answers[path] ?? 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      }
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** Reads from the socket until `done(text)` holds; rejects if the connection closes first. */
export function readUntil(socket: net.Socket, done: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (c: Buffer): void => {
      text += c.toString('latin1');
      if (!done(text)) return;
      socket.off('data', onData).off('close', onClose);
      resolve(text);
    };
    const onClose = (): void => reject(new Error(`closed after ${JSON.stringify(text)}`));
    socket.on('data', onData).on('close', onClose);
  });
}
