#!/usr/bin/env bash
# The Temporal UI test drives Debian's Chromium through playwright-core, which downloads no
# browser of its own. Installs the `chromium` package when it is missing; nothing otherwise.
set -euo pipefail
CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}
if [[ -x "$CHROMIUM_PATH" ]]; then exit 0; fi

echo "[stack] installing Debian's chromium for the Temporal UI test (apt-get)"
as_root=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "[stack] $CHROMIUM_PATH is missing and installing it needs root: apt-get install chromium"; exit 1; }
  as_root=(sudo)
fi
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
[[ -x "$CHROMIUM_PATH" ]] || { echo "[stack] chromium installed, but $CHROMIUM_PATH is still missing"; exit 1; }
