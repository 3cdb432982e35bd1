// `strangler check`: a file whose `server.adminHost` is not loopback, checked where ADMIN_TOKEN
// is not set (and ADMIN_HOST does not override it), would be refused at start (contract v2).
// Reported like a config error, at the value's line and column.

import { adminExposureProblem } from '../admin/exposure.js';
import { readConfigText } from '../config/load.js';
import { toPointer } from '../config/paths.js';
import type { ConfigError, StranglerConfig } from '../config/types.js';
import { readYamlTree } from '../config/yaml-tree.js';

export async function adminExposureError(file: string, config: StranglerConfig, env: NodeJS.ProcessEnv): Promise<ConfigError | undefined> {
  const host = config.server.adminHost;
  if (host === undefined || (env.ADMIN_HOST ?? '') !== '') return undefined;
  const problem = adminExposureProblem(host, env.ADMIN_TOKEN, 'set here');
  if (problem === undefined) return undefined;
  const read = await readConfigText(file);
  const at = 'text' in read ? readYamlTree(read.text).nodes.get(toPointer(['server', 'adminHost'])) : undefined;
  return {
    file,
    line: at?.value.line ?? 1,
    column: at?.value.column ?? 1,
    path: 'server.adminHost',
    message: `strangler would refuse to start: ${problem}`,
  };
}
