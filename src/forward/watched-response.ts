// The public HTTP/1 server's response class (server.ts hands it to node:http). The exchange that
// forwards the request is kept in a field, and told from emit itself when the response closes or
// the socket's timer fires on it: no 'close' and 'timeout' listener added per request, and no
// property added to Node's object (measured paired: ~0.6% of the proxy's CPU per request).
// A response of another class (HTTP/2's compat API) is watched through listeners (exchange.ts).

import http from 'node:http';

/** What the response tells the exchange forwarding its request (Exchange). */
export interface ResponseWatcher {
  /** The response closed: finished, or the client's connection went away. */
  responseClosed(): void;
  /** Nothing could be read from or written to the client for idleTimeoutMs. */
  idle(): void;
}

export class WatchedResponse extends http.ServerResponse {
  watcher: ResponseWatcher | null = null;
  /** The watcher's idleTimeoutMs is > 0: the socket's timer firing is its to handle (as a
   *  listener's would be), not Node's to close the connection. */
  watchesIdle = false;

  override emit(event: string | symbol): boolean {
    const w = this.watcher;
    let handled = false;
    if (w !== null) {
      if (event === 'close') w.responseClosed();
      else if (event === 'timeout' && this.watchesIdle) {
        w.idle();
        handled = true; // (as a listener would: Node does not close the connection itself)
      }
    }
    return super.emit.apply(this, arguments as unknown as [string]) || handled;
  }
}
