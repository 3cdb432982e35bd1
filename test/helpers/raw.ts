// Raw-socket HTTP for requests no well-behaved client would send.

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
