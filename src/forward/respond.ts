// Writes a proxy-made JSON error on a live ServerResponse.

import type { ServerResponse } from 'node:http';
import { errorBody, STATUS_OF, type ErrorCode } from '../errors.js';

export function sendError(
  res: ServerResponse,
  code: ErrorCode,
  message: string,
  requestId: string,
  route: string | undefined,
  closeConnection: boolean,
): number {
  const status = STATUS_OF[code];
  const body = errorBody(code, message, requestId, route);
  const headers = [
    'content-type', 'application/json',
    'content-length', String(Buffer.byteLength(body)),
    'x-request-id', requestId,
  ];
  if (closeConnection) headers.push('connection', 'close');
  res.writeHead(status, headers);
  res.end(body);
  return status;
}
