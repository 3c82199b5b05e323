# Where the stack keeps what outlives a clone; sourced by the stack scripts and pinned-node.sh (so by
# with-node.sh and .ci/run).
TEMPORAL_CLI_VERSION=v1.5.1 # later tags refuse `go install`
# The production-mode stack (STACK=cluster, scripts/lib/cluster.sh): the server the CLI above
# embeds, and the UI server at the version the CLI embeds; docker-compose.yml pins the same images.
TEMPORAL_SERVER_VERSION=v1.29.1
TEMPORAL_UI_VERSION=v2.42.1
SAGA_CACHE_DIR=${SAGA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/saga-orchestrator}
SAGA_DATA_DIR=${SAGA_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/saga-orchestrator}
TEMPORAL_BIN="$SAGA_CACHE_DIR/temporal-$TEMPORAL_CLI_VERSION/temporal"
export TEMPORAL_BIN SAGA_CACHE_DIR SAGA_DATA_DIR

# STACK=cluster points every app process, test and tool at the production-mode stack's frontend
# and UI (ports beside the dev server's 7233/8233, so both can run); an explicit
# TEMPORAL_ADDRESS or TEMPORAL_UI_URL still wins.
CLUSTER_FRONTEND_PORT=7333
CLUSTER_UI_PORT=8333
case ${STACK:-dev} in
  dev) ;;
  cluster)
    export TEMPORAL_ADDRESS=${TEMPORAL_ADDRESS:-127.0.0.1:$CLUSTER_FRONTEND_PORT}
    export TEMPORAL_UI_URL=${TEMPORAL_UI_URL:-http://localhost:$CLUSTER_UI_PORT}
    ;;
  *) echo "STACK must be dev or cluster, not '$STACK'" >&2; exit 1 ;;
esac
