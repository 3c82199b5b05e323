# Where the stack keeps what outlives a clone; sourced by the stack scripts and .ci/run.
TEMPORAL_CLI_VERSION=v1.5.1 # later tags refuse `go install`
SAGA_CACHE_DIR=${SAGA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/saga-orchestrator}
SAGA_DATA_DIR=${SAGA_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/saga-orchestrator}
TEMPORAL_BIN="$SAGA_CACHE_DIR/temporal-$TEMPORAL_CLI_VERSION/temporal"
export TEMPORAL_BIN SAGA_CACHE_DIR SAGA_DATA_DIR
