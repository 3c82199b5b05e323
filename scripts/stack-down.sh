#!/usr/bin/env bash
# Stops the Temporal dev server that stack-up.sh started. Its state file stays, so sagas resume
# on the next start. PostgreSQL and RabbitMQ are the machine's services and are left running.
# STACK=cluster stops the production-mode stack's server and UI instead (its databases stay).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/stack-env.sh
if [[ ${STACK:-dev} == cluster ]]; then
  source scripts/lib/cluster.sh
  stop_cluster
  exit 0
fi
pid_file="$SAGA_DATA_DIR/temporal.pid"
if [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  kill "$(cat "$pid_file")"
  echo "[stack] Temporal dev server stopped"
fi
rm -f "$pid_file"
