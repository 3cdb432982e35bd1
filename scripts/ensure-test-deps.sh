#!/usr/bin/env bash
# The system programs the tests drive, installed from Debian's packages when missing, so that
# `npm ci && npm test` passes on a fresh machine. Prints nothing when all are there.
set -euo pipefail
need=()
# test/shadow-page-in-a-real-browser.test.ts and the Django admin test drive Debian's chromium
# through playwright-core.
command -v chromium >/dev/null || need+=(chromium)
# test/helpers/pki.ts makes the tests' private CA and certificates with the openssl command.
command -v openssl >/dev/null || need+=(openssl)
# test/serve-tunes-v8-with-flags-this-node-knows-and-survives.test.ts runs the proxy on one CPU
# with taskset (util-linux: essential in Debian, so nearly always there).
command -v taskset >/dev/null || need+=(util-linux)
# The Redis rate-limit store tests (test/rate-limit-buckets-shared-in-redis-across-proxies.test.ts)
# start their own redis-server on a free port.
[ -x /usr/bin/redis-server ] || need+=(redis-server)
# The real-app tests (test/helpers/real-apps.ts) run Django, FastAPI and uvicorn with Debian's
# interpreter, /usr/bin/python3: a python3 earlier on PATH (pyenv, a venv) would not see them.
if ! /usr/bin/python3 -c 'import django, fastapi, uvicorn' >/dev/null 2>&1; then
  need+=(python3-django python3-fastapi python3-uvicorn)
fi
# test/rails-form-session-and-redirects-work-through-the-proxy.test.ts runs a Rails app with
# Debian's ruby, ruby-railties and ruby-webrick, under Debian's rackup (ruby-rack).
if ! { [ -x /usr/bin/rackup ] && /usr/bin/ruby -e 'require "action_controller/railtie"; require "webrick"' >/dev/null 2>&1; }; then
  need+=(ruby-railties ruby-webrick)
fi
# Not installed: Debian's prometheus (for promtool: a 19 MB download, 96 MB installed, and a
# service). test/prometheus-rules-use-only-metrics-and-labels-the-proxy-exports.test.ts runs
# `promtool check rules` only where it is installed; it checks the rules' metrics and labels anyway.
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "npm test needs these Debian packages: ${need[*]}. Install them and run it again:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "npm test: installing ${need[*]} (Debian packages)"
apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
