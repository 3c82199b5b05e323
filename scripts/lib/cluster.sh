# The production-mode stack (STACK=cluster): a Temporal server built from go.temporal.io/server
# with persistence and SQL visibility on the local PostgreSQL, and the standalone Temporal UI
# server pointed at it. Sourced by stack-up.sh and stack-down.sh after stack-env.sh; the caller
# provides log, wait_for and port_open. The binaries are built once into $SAGA_CACHE_DIR, the
# state (PostgreSQL databases aside) and logs live in $SAGA_DATA_DIR/cluster.

CLUSTER_SERVER_DIR="$SAGA_CACHE_DIR/temporal-server-$TEMPORAL_SERVER_VERSION"
CLUSTER_UI_DIR="$SAGA_CACHE_DIR/temporal-ui-$TEMPORAL_UI_VERSION"
CLUSTER_STATE_DIR="$SAGA_DATA_DIR/cluster"
# The server's other ports, beside CLUSTER_FRONTEND_PORT (stack-env.sh): the dev server's are
# 7233, 8233 and ephemeral ones, the compose server's the image's defaults (72xx and 69xx).
CLUSTER_PORTS=(
  FRONTEND_GRPC_PORT="$CLUSTER_FRONTEND_PORT" FRONTEND_HTTP_PORT=7343 FRONTEND_MEMBERSHIP_PORT=7033
  HISTORY_GRPC_PORT=7334 HISTORY_MEMBERSHIP_PORT=7034
  MATCHING_GRPC_PORT=7335 MATCHING_MEMBERSHIP_PORT=7035
  WORKER_GRPC_PORT=7339 WORKER_MEMBERSHIP_PORT=7039
)

# go_install_into <dir> <package@version...>: `go install` into a temporary directory renamed into
# place, so an interrupted build leaves nothing that looks finished.
go_install_into() {
  local dir=$1; shift
  command -v go >/dev/null || { log "Go is needed to build $* and is not on PATH"; exit 1; }
  log "building $* into $dir (first run only, takes many minutes)"
  rm -rf "$dir.partial" && mkdir -p "$dir.partial"
  GOBIN="$dir.partial" GOFLAGS=${GOFLAGS:--p=1} go install "$@"
}

# module_dir <module@version>: its source in the Go module cache, downloaded if missing.
module_dir() { go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'; }

ensure_cluster_binaries() {
  if [[ ! -x "$CLUSTER_SERVER_DIR/temporal-server" ]]; then
    go_install_into "$CLUSTER_SERVER_DIR" "go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION" \
      "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_SERVER_VERSION"
    # The schema files the SQL tool applies ship in the server module's source, not in its binary.
    cp -r "$(module_dir "go.temporal.io/server@$TEMPORAL_SERVER_VERSION")/schema" "$CLUSTER_SERVER_DIR.partial/schema"
    chmod -R u+w "$CLUSTER_SERVER_DIR.partial/schema"
    mv "$CLUSTER_SERVER_DIR.partial/server" "$CLUSTER_SERVER_DIR.partial/temporal-server"
    mv "$CLUSTER_SERVER_DIR.partial/sql" "$CLUSTER_SERVER_DIR.partial/temporal-sql-tool"
    rm -rf "$CLUSTER_SERVER_DIR" && mv "$CLUSTER_SERVER_DIR.partial" "$CLUSTER_SERVER_DIR"
  fi
  if [[ ! -x "$CLUSTER_UI_DIR/temporal-ui-server" ]]; then
    # The module embeds the UI's built assets (ui/assets), so the binary is the whole UI.
    go_install_into "$CLUSTER_UI_DIR" "github.com/temporalio/ui-server/v2/cmd/server@$TEMPORAL_UI_VERSION"
    mv "$CLUSTER_UI_DIR.partial/server" "$CLUSTER_UI_DIR.partial/temporal-ui-server"
    rm -rf "$CLUSTER_UI_DIR" && mv "$CLUSTER_UI_DIR.partial" "$CLUSTER_UI_DIR"
  fi
}

# The settings both production-mode stacks share (docker/temporal/temporal.env), and this machine's:
# PostgreSQL on loopback with the local superuser (trust), ports beside the dev server's.
cluster_env() {
  set -a
  source docker/temporal/temporal.env
  set +a
  export POSTGRES_SEEDS=127.0.0.1 POSTGRES_USER=${CLUSTER_POSTGRES_USER:-root} POSTGRES_PWD="" SQL_PASSWORD=""
  export BIND_ON_IP=127.0.0.1 DYNAMIC_CONFIG_FILE_PATH="$PWD/docker/temporal/dynamicconfig/development-sql.yaml"
  export "${CLUSTER_PORTS[@]}"
}

ensure_cluster_schema() {
  ( cluster_env
    TEMPORAL_SQL_TOOL="$CLUSTER_SERVER_DIR/temporal-sql-tool" \
      TEMPORAL_SCHEMA_DIR="$CLUSTER_SERVER_DIR/schema/postgresql/v12" \
      sh docker/temporal/setup-schema.sh >>"$CLUSTER_STATE_DIR/schema.log" 2>&1
  ) || { log "setting up Temporal's schema failed: $CLUSTER_STATE_DIR/schema.log"; exit 1; }
}

# start_detached <name> <command...>: setsid, so it outlives this script like PostgreSQL does.
start_detached() {
  local name=$1; shift
  setsid nohup "$@" >>"$CLUSTER_STATE_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$CLUSTER_STATE_DIR/$name.pid"
}

ensure_cluster_server() {
  if ! port_open 127.0.0.1 "$CLUSTER_FRONTEND_PORT"; then
    log "starting the Temporal server $TEMPORAL_SERVER_VERSION on 127.0.0.1:$CLUSTER_FRONTEND_PORT (log in $CLUSTER_STATE_DIR/temporal-server.log)"
    ( cluster_env
      start_detached temporal-server "$CLUSTER_SERVER_DIR/temporal-server" \
        --root "$PWD" --config docker/temporal/config --env cluster --allow-no-auth start )
  fi
  wait_for "the Temporal server" 120 "$TEMPORAL_BIN" operator cluster health --address "127.0.0.1:$CLUSTER_FRONTEND_PORT"
  # The namespace, its retention and the saga's search attributes: the script compose runs.
  ( cluster_env
    PATH="$(dirname "$TEMPORAL_BIN"):$PATH" TEMPORAL_ADDRESS="127.0.0.1:$CLUSTER_FRONTEND_PORT" \
      sh docker/temporal/setup-namespace.sh >>"$CLUSTER_STATE_DIR/setup.log" 2>&1
  ) || { log "setting up the namespace failed: $CLUSTER_STATE_DIR/setup.log"; exit 1; }
}

ensure_cluster_ui() {
  if ! port_open 127.0.0.1 "$CLUSTER_UI_PORT"; then
    log "starting the Temporal UI $TEMPORAL_UI_VERSION on http://localhost:$CLUSTER_UI_PORT"
    TEMPORAL_ADDRESS="127.0.0.1:$CLUSTER_FRONTEND_PORT" TEMPORAL_UI_PORT="$CLUSTER_UI_PORT" \
      TEMPORAL_DEFAULT_NAMESPACE=default TEMPORAL_CORS_ORIGINS=http://localhost:3000 \
      start_detached temporal-ui "$CLUSTER_UI_DIR/temporal-ui-server" \
      --root "$PWD" --config docker/temporal/ui --env cluster start
  fi
  wait_for "the Temporal UI" 60 curl -fsS -o /dev/null "http://127.0.0.1:$CLUSTER_UI_PORT/"
}

ensure_cluster() {
  mkdir -p "$CLUSTER_STATE_DIR"
  ensure_cluster_binaries
  ensure_cluster_schema
  ensure_cluster_server
  ensure_cluster_ui
  log "production-mode stack up: TEMPORAL_ADDRESS=127.0.0.1:$CLUSTER_FRONTEND_PORT, UI http://localhost:$CLUSTER_UI_PORT"
}

# Stops what ensure_cluster started; the databases stay, so sagas resume on the next start.
stop_cluster() {
  local name pid_file
  for name in temporal-ui temporal-server; do
    pid_file="$CLUSTER_STATE_DIR/$name.pid"
    if [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
      kill "$(cat "$pid_file")"
      echo "[stack] $name stopped"
    fi
    rm -f "$pid_file"
  done
}
