#!/bin/sh
# Waits for the Temporal frontend, then makes sure the namespace and the saga's custom search
# attributes exist and the namespace keeps closed workflows for TEMPORAL_NAMESPACE_RETENTION_HOURS (the
# server image, unlike the old auto-setup one, creates neither). Re-runnable: it changes nothing
# that is already right. The production-mode stack (scripts/lib/cluster.sh) runs it too.
set -eu

ADDRESS=${TEMPORAL_ADDRESS:-temporal:7233}
NAMESPACE=${TEMPORAL_NAMESPACE:-default}
ATTEMPTS=${SETUP_ATTEMPTS:-60}
# Hours, as Temporal's describe reports it in seconds: a week to look at a failed saga's history.
RETENTION_HOURS=${TEMPORAL_NAMESPACE_RETENTION_HOURS:-168}
# Name=Type pairs from the file beside this script, generated from workflows/search-attributes.ts
# (scripts/stack-up.sh registers the same for the dev server).
ATTRIBUTES=$(grep -v '^#' "$(dirname "$0")/search-attributes.txt" | tr '\n' ' ')

log() { echo "[temporal-setup] $*"; }

# retry <what> <command...>: the frontend and a new namespace take a few seconds to become usable.
retry() {
  what=$1
  shift
  i=1
  until "$@"; do
    if [ "$i" -ge "$ATTEMPTS" ]; then
      log "$what failed $ATTEMPTS times, giving up" >&2
      return 1
    fi
    i=$((i + 1))
    sleep 2
  done
}

cluster_healthy() { temporal operator cluster health --address "$ADDRESS" >/dev/null 2>&1; }

namespace_exists() {
  temporal operator namespace describe --address "$ADDRESS" --namespace "$NAMESPACE" >/dev/null 2>&1 && return 0
  temporal operator namespace create --address "$ADDRESS" --namespace "$NAMESPACE" --retention "${RETENTION_HOURS}h" >/dev/null 2>&1 || true
  return 1 # describe again on the next try, once the new namespace has propagated
}

retention_set() {
  temporal operator namespace describe --address "$ADDRESS" --namespace "$NAMESPACE" -o json 2>/dev/null |
    grep -q "\"workflowExecutionRetentionTtl\": *\"$((RETENTION_HOURS * 3600))s\"" && return 0
  temporal operator namespace update --address "$ADDRESS" --namespace "$NAMESPACE" --retention "${RETENTION_HOURS}h" >/dev/null 2>&1 &&
    log "namespace $NAMESPACE retention set to ${RETENTION_HOURS}h"
  return 1 # describe again: the update propagates within seconds
}

# attribute_exists <name> <type>: creates it unless listed; "already exists" from a racing run is fine.
attribute_exists() {
  if temporal operator search-attribute list --address "$ADDRESS" --namespace "$NAMESPACE" 2>/dev/null | grep -qw "$1"; then
    return 0
  fi
  out=$(temporal operator search-attribute create --address "$ADDRESS" --namespace "$NAMESPACE" \
    --name "$1" --type "$2" 2>&1) && { log "registered search attribute $1 ($2)"; return 0; }
  case $out in
    *"already exists"*) return 0 ;;
  esac
  log "creating $1: $out" >&2
  return 1
}

log "waiting for $ADDRESS"
retry "cluster health check" cluster_healthy
retry "namespace $NAMESPACE" namespace_exists
retry "retention of $NAMESPACE" retention_set
log "namespace $NAMESPACE ready, retention ${RETENTION_HOURS}h"
for pair in $ATTRIBUTES; do
  retry "search attribute ${pair%%=*}" attribute_exists "${pair%%=*}" "${pair#*=}"
done
log "search attributes ready: $ATTRIBUTES"
