// Real third-party apps on 127.0.0.1 for tests that put the proxy in front of them, with
// Debian's /usr/bin/python3 and its python3-django, python3-fastapi and python3-uvicorn, and
// Debian's Ruby with ruby-railties and ruby-webrick (scripts/ensure-test-deps.sh installs them).
// Nothing here is ours but the glue:
// - a Django project generated at test time (`django-admin startproject`, sqlite, migrated, one
//   superuser), configured as a real deployment is: ALLOWED_HOSTS names the public host only, so
//   a request carrying the upstream's own address (127.0.0.1:PORT) as Host is answered 400;
//   DEBUG on so that runserver serves the admin's static files. Any number of runserver processes
//   may serve the same project (same database, same SECRET_KEY, so sessions are valid on each);
//   `siteHeader` changes the admin's <h1> for one of them (a real difference for the shadow).
// - the FastAPI app in test/fixtures/fastapi-shop/app.py, served by uvicorn;
// - the Rails app in test/fixtures/rails-shop/config.ru, served by rackup (webrick).
// Every process is started on a free port and waited for with a bounded HTTP poll; `close()`
// stops it (SIGTERM, then SIGKILL) and waits for its exit.

import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { closedPort } from './servers.js';

/** Debian's interpreter: the one python3-django & co. are installed for (not a pyenv shim on PATH). */
export const PYTHON = '/usr/bin/python3';
/** Debian's rackup (ruby-rack), run by Debian's ruby, which has ruby-railties. */
export const RACKUP = '/usr/bin/rackup';
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const run = promisify(execFile);

export interface RealApp {
  /** http://127.0.0.1:PORT: the upstream's own address, for routes.yaml. */
  readonly url: string;
  readonly port: number;
  /** Everything the process wrote to stdout and stderr so far (its request log, its tracebacks). */
  output(): string;
  close(): Promise<void>;
}

// --- processes -------------------------------------------------------------------------------

/** One HTTP answer (any status) from url, or an error. Each try is bounded. */
function probe(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { host }, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('probe timed out')));
    req.on('error', reject);
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts `args` (given the port) and waits until `readyPath` answers over HTTP, at most
 * `readyTimeoutMs`. A process that exits first (a port taken between our pick and its bind) is
 * started again on another port, at most three times; then the error carries its output.
 */
async function serve(
  name: string,
  args: (port: number) => string[],
  opts: { command?: string; cwd: string; env?: NodeJS.ProcessEnv; readyPath: string; readyHost?: string; readyTimeoutMs?: number },
): Promise<RealApp> {
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 20_000);
  let lastOutput = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await closedPort(); // free now; the app binds it next
    const child = spawn(opts.command ?? PYTHON, args(port), {
      cwd: opts.cwd,
      env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    const url = `http://127.0.0.1:${port}`;
    const app: RealApp = { url, port, output: () => out, close: () => stop(child) };
    const host = opts.readyHost ?? `127.0.0.1:${port}`;
    while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) {
      try {
        await probe(url + opts.readyPath, host);
        return app;
      } catch {
        // Not listening yet: poll again (the wait is bounded by the deadline).
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await stop(child);
    lastOutput = out;
    if (Date.now() >= deadline) break;
  }
  throw new Error(`${name} did not start (answered nothing within its deadline). Its output:\n${lastOutput}`);
}

// --- Django ----------------------------------------------------------------------------------

export interface DjangoProject {
  readonly dir: string;
  /** The superuser's name and password (created with `createsuperuser --noinput`). */
  readonly admin: { readonly username: string; readonly password: string };
  /** The host names in ALLOWED_HOSTS. */
  readonly allowedHosts: readonly string[];
  /** Removes the project folder (stop its servers first). */
  remove(): Promise<void>;
}

// urls.py of the generated project: the admin, its site header from the environment (so two
// runserver processes on one project can differ in exactly that), and one small JSON view that
// stays on the monolith in path-template tests (/api/users/{id}/details), and the whoami view a
// forward authenticator asks (/api/whoami: who the session cookie is).
const URLS_PY = `import os
from django.contrib import admin
from django.contrib.auth.models import User
from django.http import JsonResponse, Http404
from django.urls import path

if os.environ.get('STRANGLER_TEST_SITE_HEADER'):
    admin.site.site_header = os.environ['STRANGLER_TEST_SITE_HEADER']


def user_details(request, id):
    try:
        u = User.objects.get(pk=id)
    except User.DoesNotExist:
        raise Http404('no such user')
    return JsonResponse({
        'id': u.pk,
        'username': u.username,
        'isStaff': u.is_staff,
        'dateJoined': u.date_joined.isoformat(),
        'servedBy': 'django',
        'self': request.build_absolute_uri(),
    })


def whoami(request):
    if not request.user.is_authenticated:
        r = JsonResponse({'error': 'not signed in'}, status=401)
        r['WWW-Authenticate'] = 'Session'
        return r
    u = request.user
    r = JsonResponse({'id': u.pk, 'username': u.username})
    r['X-User-Id'] = str(u.pk)
    roles = [name for name, on in (('staff', u.is_staff), ('superuser', u.is_superuser)) if on]
    if roles:
        r['X-User-Roles'] = ', '.join(roles)
    return r


urlpatterns = [
    path('admin/', admin.site.urls),
    path('api/users/<int:id>/details', user_details),
    path('api/whoami', whoami),
]
`;

/**
 * Generates a Django project in a temp dir: startproject, ALLOWED_HOSTS = `allowedHosts` (host
 * names without port, e.g. ['localhost'] for a proxy reached as http://localhost:PORT), DEBUG on,
 * sqlite migrated, one superuser. Takes about a second; do it once per test file.
 */
export async function createDjangoProject(opts: { allowedHosts: readonly string[] }): Promise<DjangoProject> {
  const dir = await mkdtemp(path.join(tmpdir(), 'strangler-django-'));
  try {
    await run(PYTHON, ['-m', 'django', 'startproject', 'legacysite', dir], { timeout: 30_000 });
    const settings = path.join(dir, 'legacysite', 'settings.py');
    const text = await readFile(settings, 'utf8');
    await writeFile(
      settings,
      text.replace(/^DEBUG = .*$/m, 'DEBUG = True').replace(/^ALLOWED_HOSTS = .*$/m, `ALLOWED_HOSTS = ${JSON.stringify(opts.allowedHosts)}`),
    );
    await writeFile(path.join(dir, 'legacysite', 'urls.py'), URLS_PY);
    await run(PYTHON, ['manage.py', 'migrate', '--noinput', '-v', '0'], { cwd: dir, timeout: 60_000 });
    const admin = { username: 'admin', password: 'strangler-Admin-pw-1' };
    await run(PYTHON, ['manage.py', 'createsuperuser', '--noinput', '--username', admin.username, '--email', 'admin@example.com'], {
      cwd: dir,
      env: { ...process.env, DJANGO_SUPERUSER_PASSWORD: admin.password },
      timeout: 30_000,
    });
    return { dir, admin, allowedHosts: opts.allowedHosts, remove: () => rm(dir, { recursive: true, force: true }) };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * `manage.py runserver --noreload 127.0.0.1:PORT` on the project. Call it twice for two processes
 * on the same database; `siteHeader` replaces the admin's "Django administration" heading.
 */
export function startDjango(project: DjangoProject, opts: { siteHeader?: string } = {}): Promise<RealApp> {
  return serve('Django runserver', (port) => ['manage.py', 'runserver', '--noreload', `127.0.0.1:${port}`], {
    cwd: project.dir,
    env: opts.siteHeader === undefined ? {} : { STRANGLER_TEST_SITE_HEADER: opts.siteHeader },
    readyPath: '/admin/login/',
    // The probe must name an allowed host, or Django answers 400 (which would still mean "up").
    readyHost: project.allowedHosts[0],
  });
}

// --- FastAPI ---------------------------------------------------------------------------------

/** test/fixtures/fastapi-shop/app.py under uvicorn (its defaults: proxy headers trusted from 127.0.0.1). */
export function startFastApiShop(): Promise<RealApp> {
  return serve('uvicorn (FastAPI shop)', (port) => ['-m', 'uvicorn', 'app:app', '--host', '127.0.0.1', '--port', String(port), '--no-access-log'], {
    cwd: path.join(FIXTURES, 'fastapi-shop'),
    readyPath: '/healthz',
  });
}

// --- Rails -----------------------------------------------------------------------------------

/** test/fixtures/rails-shop/config.ru under rackup; `hosts`: Rails' `config.hosts` (the public
 *  host names it answers for; any other Host gets its 403 "Blocked host"). */
export function startRailsShop(opts: { hosts: readonly string[] }): Promise<RealApp> {
  return serve('rackup (Rails shop)', (port) => ['-s', 'webrick', '-o', '127.0.0.1', '-p', String(port), 'config.ru'], {
    command: RACKUP,
    cwd: path.join(FIXTURES, 'rails-shop'),
    env: { RAILS_SHOP_HOSTS: opts.hosts.join(','), RAILS_ENV: 'production' },
    readyPath: '/healthz',
    readyHost: opts.hosts[0],
    readyTimeoutMs: 30_000,
  });
}
