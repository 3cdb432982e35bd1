// An error that knows the HTTP answer it becomes: status, a stable code, a sentence, and for
// validation errors the problem with each field.
import type { OutgoingHttpHeaders } from 'node:http';

export interface FieldError {
  field: string;
  message: string;
}

export interface HttpErrorExtras {
  details?: readonly FieldError[];
  headers?: OutgoingHttpHeaders;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extras: HttpErrorExtras = {},
  ) {
    super(message);
  }

  /** The JSON body: {"error":code,"message":...} plus "details" for validation errors. */
  body(): { error: string; message: string; details?: readonly FieldError[] } {
    const { details } = this.extras;
    return details ? { error: this.code, message: this.message, details } : { error: this.code, message: this.message };
  }
}

export function notFound(what: string): HttpError {
  return new HttpError(404, 'not_found', `${what} not found`);
}
