#!/usr/bin/env bash
# The system programs the tests drive, installed from Debian's packages when missing, so that
# `npm ci && npm test` passes on a fresh machine. Prints nothing when all are there.
set -euo pipefail
need=()
# test/shadow-page-in-a-real-browser.test.ts drives Debian's chromium through playwright-core.
command -v chromium >/dev/null || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "npm test needs these Debian packages: ${need[*]}. Install them (sudo apt-get install ${need[*]}) and run it again." >&2
  exit 1
fi
echo "npm test: installing ${need[*]} (Debian packages)"
apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
