// Every `msg` the proxy logs, by name. The drills and the tests match log lines by these, so a
// message changed here changes for both sides at once.
export const LOG = {
  // bootstrap.ts
  listening: 'listening',
  workerListening: 'worker listening',
  workerStarted: 'worker started',
  workerDied: 'worker died, replacing it',
  workerReloadTimeout: 'workers did not all confirm the new version in time',
  workersStopping: 'stopping workers',
  workerCanaryHalt: 'canary halted by another worker',
  workerCanaryStep: 'canary step set by the primary',
  shutdownDelay: 'not ready: still accepting for shutdownDelayMs, then draining',
  draining: 'draining',
  drainTimeout: 'drain timeout: closing the connections still open',
  stopped: 'stopped',
  // routing/reloader.ts
  shadowOffOwnUpstream: 'shadow off (same upstream as the route)',
  fallbackOffOwnUpstream: 'fallback off (same upstream as the route)',
  canaryOffOwnUpstream: 'canary off (same upstream as the route)',
  upstreamTlsUnverified: "upstream certificate NOT verified (tls.insecureSkipVerify): anyone on the path can pose as this upstream",
  // routing/reloader.ts
  configReloaded: 'config reloaded',
  configUnchanged: 'config unchanged',
  configRejected: 'config rejected, the live table stays',
  configReloadFailed: 'config reload failed',
  reloadListenerFailed: 'a reload listener threw (the reload itself is done)',
  restartNeeded: 'these server settings take effect only after a restart',
  // cli/run.ts
  invalidConfig: 'invalid config, not starting',
  failedToStart: 'failed to start',
  signalReceived: 'signal received',
  shutdownFailed: 'shutdown failed',
  // observability/access-line.ts: one per request
  request: 'request',
  // edge/cert-watch.ts, edge/start-tls.ts
  tlsCertificatesReloaded: 'tls certificates reloaded',
  tlsCertificateRejected: 'tls certificate file rejected, the previous certificate stays',
  tlsHandshakeFailed: 'tls handshake failed',
  // forward/server.ts
  publicServerError: 'public server error',
  // forward/h2-server.ts
  h2SessionError: 'http/2 session error',
  h2RapidReset: 'http/2 client reset too many streams: GOAWAY',
  // forward/handler.ts
  canaryHalted: 'canary halted',
  // canary/stepper.ts: one line per gate check of a progressive canary, with its figures
  canaryStepped: 'canary stepped up',
  canaryStepHeld: 'canary step held: too few requests to judge',
  canaryCheckFailed: 'canary gate check failed, the next tick tries again',
  // identity/jwt.ts
  jwksUnavailable: 'jwks unavailable: tokens cannot be verified',
  jwtPublicKeyUnreadable: 'jwt public key file unreadable',
  // policies/resilient.ts
  fallingBack: 'falling back',
  // policies/route-policies.ts
  retrying: 'retrying',
  breakerOpened: 'breaker opened',
  breakerHalfOpen: 'breaker half-open: one trial request',
  breakerClosed: 'breaker closed',
  // shadow/mirror.ts
  shadowNoiseLearned: 'shadow noise learned',
  shadowCompareFailed: 'shadow comparison failed',
  shadowCopyFailed: 'shadow copy failed (the primary answer is not affected)',
  // identity/redis-store.ts: at most one a second
  rateLimitStoreFailed: 'rate-limit store failed: requests pass unlimited (fail open)',
  // record/recorders.ts: at most one a second per file
  recordWriteFailed: 'record file cannot be written: exchanges are dropped',
  // record/recorders.ts: a recording that threw (dropped; the client's answer goes on), at most one a second per route
  recordCaptureFailed: 'record capture failed: exchange not recorded',
  // tracing/tracings.ts
  tracingShutdownFailed: 'tracing exporter shutdown failed',
  // tracing/tracings.ts: the export worker stopped (its batches are dropped and counted); at most
  // one per batch, since a new worker starts with the next one
  tracingExportWorkerLost: 'tracing export worker stopped: spans are dropped',
  tracingSpansDropped: 'tracing spans dropped (queue full or export failed)',
  // admin/log-level.ts (PUT /log-level)
  logLevelChanged: 'log level changed',
  // admin/session/failed-sign-ins.ts (POST /session with a wrong token): at most one a minute
  adminSignInFailed: 'admin sign-in failed',
} as const;

export type LogMessage = (typeof LOG)[keyof typeof LOG];

/** The substring `"msg":"<m>"` of a JSON log line with this message, for a test without parsing the line. */
export function msgField(m: LogMessage): string {
  return `"msg":${JSON.stringify(m)}`;
}
