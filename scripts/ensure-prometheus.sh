#!/usr/bin/env bash
# The alert tests run Debian's Prometheus: `promtool test rules` / `check config` on
# docker/prometheus/, and a real `prometheus` scraping the app processes. Installs the
# `prometheus` package when either binary is missing; nothing otherwise. The package's
# maintainer script would start a system service on :9090: a policy-rc.d that refuses service
# starts is put in place for the install when the machine has none (the tests start their own
# Prometheus on a free port with its own storage).
set -euo pipefail
PROMETHEUS_PATH=${PROMETHEUS_PATH:-/usr/bin/prometheus}
PROMTOOL_PATH=${PROMTOOL_PATH:-/usr/bin/promtool}
if [[ -x "$PROMETHEUS_PATH" && -x "$PROMTOOL_PATH" ]]; then exit 0; fi

echo "[stack] installing Debian's prometheus for the alert tests (apt-get)"
as_root=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "[stack] $PROMTOOL_PATH is missing and installing it needs root: apt-get install prometheus"; exit 1; }
  as_root=(sudo)
fi
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  # 101 = "action forbidden": invoke-rc.d skips the service start. Removed again on exit.
  printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$policy" >/dev/null
  "${as_root[@]}" chmod 755 "$policy"
  trap '"${as_root[@]}" rm -f "$policy"' EXIT
fi
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends prometheus >/dev/null
[[ -x "$PROMETHEUS_PATH" && -x "$PROMTOOL_PATH" ]] || { echo "[stack] prometheus installed, but $PROMETHEUS_PATH or $PROMTOOL_PATH is still missing"; exit 1; }
