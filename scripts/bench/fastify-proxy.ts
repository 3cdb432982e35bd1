// Child program: fastify 5 + @fastify/http-proxy 11 (undici pool, its defaults) with the bench
// route table, logger off. Usage: node fastify-proxy.js --port P --upstream http://127.0.0.1:U
import Fastify from 'fastify';
import proxy from '@fastify/http-proxy';
import { argValue, exitWithParent } from './parent-watch.js';
import { BENCH_ROUTES } from './routes.js';

const upstream = argValue('--upstream');
const app = Fastify({ logger: false, keepAliveTimeout: 60_000 });
for (const route of BENCH_ROUTES) {
  await app.register(proxy, {
    upstream,
    prefix: route.prefix,
    rewritePrefix: route.prefix === '/' ? '' : route.rewrite ?? route.prefix,
  });
}
await app.listen({ port: Number(argValue('--port')), host: '127.0.0.1' });
exitWithParent(() => void app.close().finally(() => process.exit(0)));
