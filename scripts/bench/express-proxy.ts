// Child program: express 5 + http-proxy-middleware 3 with the bench route table.
// A keep-alive agent to the upstream (http-proxy's default is a new connection per request),
// no logging. Usage: node express-proxy.js --port P --upstream http://127.0.0.1:U
import { Agent } from 'node:http';
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { argValue, exitWithParent } from './parent-watch.js';
import { BENCH_ROUTES } from './routes.js';

const upstream = argValue('--upstream');
const agent = new Agent({ keepAlive: true, maxSockets: 128, keepAliveMsecs: 60_000 });
const app = express();
app.disable('x-powered-by');
app.disable('etag');
for (const route of BENCH_ROUTES) {
  // Express strips the mount path from req.url; the target's path is the (rewritten) prefix.
  const targetPath = route.prefix === '/' ? '' : route.rewrite ?? route.prefix;
  app.use(route.prefix, createProxyMiddleware({ target: upstream + targetPath, changeOrigin: true, agent }));
}
const server = app.listen(Number(argValue('--port')), '127.0.0.1');
server.keepAliveTimeout = 60_000;
exitWithParent(() => process.exit(0));
