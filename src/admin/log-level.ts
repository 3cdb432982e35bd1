// GET /log-level: the logger's level now. PUT /log-level with {"level":"debug"} (a pino level:
// fatal, error, warn, info, debug, trace, silent) changes it at once, without a restart: 200
// {"previous","level"}; anything else is 400 bad_request. Behind the admin token like every admin
// endpoint but /healthz and /readyz (the app mounts it after bearerAuth). With workers, `also`
// hands the level to the group (every worker, and each replacement as it starts).

import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { newRequestId } from '../forward/headers.js';
import { LOG } from '../observability/log-messages.js';
import { isLogLevel, setLogLevel, type Logger } from '../observability/logger.js';

const USAGE = 'send {"level":"<level>"} with level one of fatal, error, warn, info, debug, trace, silent';

function badRequest(res: Response, message: string): void {
  res.status(400).json({ error: 'bad_request', message, requestId: newRequestId() });
}

/** The level a PUT body names, or null. */
function levelOf(body: unknown): string | null {
  if (typeof body !== 'string') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  const level = (parsed as { level?: unknown } | null)?.level;
  return typeof level === 'string' && isLogLevel(level.toLowerCase()) ? level.toLowerCase() : null;
}

export function logLevelRoutes(logger: Logger, also?: (level: string) => void): Router {
  const router = express.Router();
  router.get('/log-level', (_req, res) => {
    res.set('cache-control', 'no-store').json({ level: logger.level });
  });
  router.put('/log-level', express.text({ type: () => true, limit: '1kb' }), (req, res) => {
    const level = levelOf(req.body);
    if (level === null) return badRequest(res, `unknown or missing log level: ${USAGE}`);
    const previous = logger.level;
    // Said at info by whichever of the two levels lets it through (before lowering, after raising).
    const line = { msg: LOG.logLevelChanged, from: previous, to: level }; // (`level` is pino's own field)
    const said = logger.isLevelEnabled('info');
    if (said) logger.info(line);
    setLogLevel(logger, level);
    if (!said) logger.info(line);
    also?.(level);
    res.set('cache-control', 'no-store').json({ previous, level });
  });
  // A body the parser refuses (too large, an unknown charset): the JSON error, not Express's page.
  router.use('/log-level', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const status = (err as { status?: number }).status;
    if (status === 413) res.status(413).json({ error: 'bad_request', message: 'the body is too large', requestId: newRequestId() });
    else badRequest(res, USAGE);
  });
  return router;
}
