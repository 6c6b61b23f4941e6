#!/usr/bin/env bash
# Makes sure a headless-capable Chromium is installed for the console's browser tests
# (tests/ConvertroFunctions.BrowserTests), which look for it at $CHROMIUM_PATH or /usr/bin/chromium.
# Playwright's own browser download is never used (it cannot work offline). Debian's `chromium`
# package is installed with apt-get when it is missing and this runs as root; otherwise this prints
# the exact command to run and exits 1. The browser tests project runs it before it builds (its EnsureChromium target).
set -euo pipefail

path="${CHROMIUM_PATH:-/usr/bin/chromium}"

version() { "$1" --version 2>/dev/null || echo "(version unknown)"; }

if [ -x "$path" ]; then
  echo "chromium: $path — $(version "$path")"
  exit 0
fi

if [ -n "${CHROMIUM_PATH:-}" ]; then
  echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file. Point it at a Chromium, or unset it to use /usr/bin/chromium." >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "chromium: not installed; installing Debian's chromium with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q chromium
  echo "chromium: $path — $(version "$path")"
  exit 0
fi

cat >&2 <<'MSG'
Chromium is not installed (looked for /usr/bin/chromium; set CHROMIUM_PATH to use another).
The console's browser tests need it. On Debian, run:

  sudo apt-get update && sudo apt-get install -y chromium

then run this script again. Elsewhere, install Chromium and set CHROMIUM_PATH to its executable.
MSG
exit 1
