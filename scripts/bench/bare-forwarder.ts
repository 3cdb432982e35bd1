// Child program: the floor of a Node proxy: node:http + one undici Pool + dispatch, no routing
// table, no header rules, no logs, no metrics, no timeouts. The row shows what strangler's
// features cost on top of the same transport. Usage: node bare-forwarder.js --port P --upstream URL
import http from 'node:http';
import { Pool, type Dispatcher } from 'undici';
import { argValue, exitWithParent } from './parent-watch.js';

const pool = new Pool(argValue('--upstream'), { connections: 128, pipelining: 1, headersTimeout: 0, bodyTimeout: 0 });

const server = http.createServer((req, res) => {
  const url = req.url!;
  const path = url.startsWith('/api/users') ? '/users' + url.slice('/api/users'.length) : url;
  let resume: () => void = () => {};
  const handler = {
    onConnect() {},
    onHeaders(status: number, raw: Buffer[], r: () => void): boolean {
      resume = r;
      const headers: string[] = [];
      for (let i = 0; i < raw.length; i += 2) headers.push(raw[i]!.toString('latin1'), raw[i + 1]!.toString('latin1'));
      res.writeHead(status, headers);
      return true;
    },
    onData(chunk: Buffer): boolean {
      if (res.write(chunk)) return true;
      res.once('drain', resume);
      return false;
    },
    onComplete() {
      res.end();
    },
    onError() {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    },
  };
  pool.dispatch({ path, method: req.method!, headers: req.rawHeaders, body: null }, handler as unknown as Dispatcher.DispatchHandler);
});
server.keepAliveTimeout = 60_000;
server.listen(Number(argValue('--port')), '127.0.0.1');
exitWithParent(() => process.exit(0));
