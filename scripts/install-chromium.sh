#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests, if it is missing and we may use apt.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends chromium
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo DEBIAN_FRONTEND=noninteractive apt-get update -q
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
else
  echo "Chromium is not installed and apt needs root: run 'sudo apt-get install chromium'." >&2
  echo "Browser tests will be skipped." >&2
fi
