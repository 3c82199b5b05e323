#!/usr/bin/env bash
# Brings up everything the app processes need, and only what is missing, so running it twice
# changes nothing: the pinned Node.js (scripts/lib/pinned-node.sh), npm packages, the pinned Temporal CLI (built once into a cache outside the
# clone), PostgreSQL, RabbitMQ, the Temporal dev server (persistent SQLite file, UI on :8233)
# with the saga's search attributes, database migrations and the demo catalog.
# STACK=cluster starts the production-mode stack instead of the dev server (scripts/lib/cluster.sh,
# docs/operations.md "## Production-mode stack").
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/stack-env.sh
source scripts/lib/pinned-node.sh

log() { printf '[stack] %s\n' "$*"; }

wait_for() { # wait_for <what> <seconds> <command...>
  local what=$1 seconds=$2; shift 2
  for ((i = 0; i < seconds * 4; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.25
  done
  log "$what did not come up within ${seconds}s"; return 1
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

ensure_npm_packages() {
  if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
    log "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund
  fi
}

ensure_temporal_cli() {
  if [[ -x "$TEMPORAL_BIN" ]]; then return; fi
  command -v go >/dev/null || { log "Go is needed to build the Temporal CLI and is not on PATH"; exit 1; }
  log "building the Temporal CLI $TEMPORAL_CLI_VERSION into $(dirname "$TEMPORAL_BIN") (first run only, takes minutes)"
  mkdir -p "$(dirname "$TEMPORAL_BIN")"
  GOBIN="$(dirname "$TEMPORAL_BIN")" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION"
}

ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432; then return; fi
  log "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start
  wait_for PostgreSQL 60 pg_isready -q -h 127.0.0.1 -p 5432
}

ensure_rabbitmq() {
  if port_open 127.0.0.1 5672; then return; fi
  log "starting RabbitMQ"
  rabbitmq-server -detached
  wait_for RabbitMQ 120 port_open 127.0.0.1 5672
}

ensure_temporal_server() {
  if ! port_open 127.0.0.1 7233; then
    mkdir -p "$SAGA_DATA_DIR"
    log "starting the Temporal dev server (state in $SAGA_DATA_DIR/temporal.db, log in $SAGA_DATA_DIR/temporal.log)"
    # setsid: the server outlives this script and the terminal, like PostgreSQL and RabbitMQ do.
    # WAL with synchronous=normal: a crash of the server loses nothing, a power loss may lose the
    # last commits; SQLite's default (a sync per commit) makes every workflow start 3× slower.
    setsid nohup "$TEMPORAL_BIN" server start-dev \
      --db-filename "$SAGA_DATA_DIR/temporal.db" \
      --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal \
      --ip 127.0.0.1 --port 7233 --ui-port 8233 \
      --log-level warn \
      >>"$SAGA_DATA_DIR/temporal.log" 2>&1 </dev/null &
    echo $! >"$SAGA_DATA_DIR/temporal.pid"
  fi
  wait_for "the Temporal dev server" 120 "$TEMPORAL_BIN" operator cluster health --address 127.0.0.1:7233
  wait_for "the default namespace" 60 "$TEMPORAL_BIN" operator namespace describe --address 127.0.0.1:7233 --namespace default
  register_search_attributes
}

# The saga's search attributes, Name=Type per line, generated from workflows/search-attributes.ts.
register_search_attributes() {
  local existing pair name type
  existing=$("$TEMPORAL_BIN" operator search-attribute list --address 127.0.0.1:7233 --namespace default)
  while IFS= read -r pair; do
    [[ -z $pair || $pair == \#* ]] && continue
    name=${pair%%=*} type=${pair#*=}
    if ! grep -qw "$name" <<<"$existing"; then
      log "registering search attribute $name ($type)"
      "$TEMPORAL_BIN" operator search-attribute create --address 127.0.0.1:7233 --namespace default \
        --name "$name" --type "$type" >/dev/null
    fi
  done <docker/temporal/search-attributes.txt
}

use_pinned_node # npm ci and db/prepare.ts below run on it
ensure_npm_packages
ensure_temporal_cli
ensure_postgres
ensure_rabbitmq
if [[ ${STACK:-dev} == cluster ]]; then
  source scripts/lib/cluster.sh
  ensure_cluster
else
  ensure_temporal_server
fi
node_modules/.bin/tsx db/prepare.ts
# Least privilege (docs/operations.md "## Least privilege"): each app process's own PostgreSQL
# login and RabbitMQ user, which `npm start` then runs it as.
if [[ ${LEAST_PRIVILEGE:-0} == 1 ]]; then
  node_modules/.bin/tsx scripts/least-privilege.ts
fi
