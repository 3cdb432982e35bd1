// Once a response streams, every write to the client re-arms the socket's idle timer, so a request
// body that stalls mid-upload would go unnoticed for as long as the answer flows. From the
// response head on, a request whose body is still arriving gets a timer of its own, re-armed by
// each chunk read; requests whose body is in (nearly all) never start one.

import type { Readable } from 'node:stream';

/** Calls `onSilent` when `body` delivers nothing for `ms` before it ends or closes. */
export function watchUploadSilence(body: Readable, ms: number, onSilent: () => void): void {
  const timer = setTimeout(() => {
    stop();
    onSilent();
  }, ms);
  const rearm = (): void => void timer.refresh();
  const stop = (): void => {
    clearTimeout(timer);
    body.off('data', rearm);
    body.off('end', stop);
    body.off('close', stop);
  };
  body.on('data', rearm);
  body.once('end', stop);
  body.once('close', stop);
}
