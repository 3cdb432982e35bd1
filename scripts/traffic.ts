// npm run traffic: a bounded, realistic mix of requests through the demo's proxy (default
// http://localhost:$PORT, 8080 when unset; loopback only), so the shadow compare of /orders has something to
// report; prints what it sent and where to read the report. Flags: --help, or see
// lib/demo/traffic.ts. Exit 0 when every request got a response (any status), else 1.
import { describeTraffic, parseTrafficArgs, sendTraffic, TRAFFIC_USAGE, type TrafficOptions } from './lib/demo/traffic.js';

let opts: TrafficOptions | 'help';
try {
  opts = parseTrafficArgs(process.argv.slice(2), process.env);
} catch (err) {
  process.stderr.write(`traffic: ${(err as Error).message}\n\n${TRAFFIC_USAGE}\n`);
  process.exit(2);
}
if (opts === 'help') {
  process.stdout.write(`${TRAFFIC_USAGE}\n`);
  process.exit(0);
}

process.stdout.write(`sending ${opts.requests} requests to ${opts.url.origin}, ${opts.concurrency} at a time...\n`);
const summary = await sendTraffic(opts);
process.stdout.write(describeTraffic(summary, opts));
process.exitCode = summary.failed > 0 ? 1 : 0;
