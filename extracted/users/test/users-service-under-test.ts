// A users service on port 0 in its own temp data dir, for each test of the file.
import { afterEach } from 'vitest';
import type { Served } from '../../../demo-kit/serve.js';
import { useTempDirs } from '../../../legacy-monolith/test/helpers.js';
import { startUsersService } from '../server.js';

export interface UsersServiceUnderTest {
  app: Served;
  url: string;
  dataDir: string;
}

/** Returns a starter; whatever it started is closed after the test. */
export function useUsersService(): (opts: { legacyUrl: string; dataDir?: string }) => Promise<UsersServiceUnderTest> {
  const tempDir = useTempDirs();
  const started: Served[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((app) => app.close()));
  });
  return async ({ legacyUrl, dataDir }) => {
    const dir = dataDir ?? (await tempDir('users-'));
    const app = await startUsersService({ legacyUrl, dataDir: dir });
    started.push(app);
    return { app, url: app.url, dataDir: dir };
  };
}
