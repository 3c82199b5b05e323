#!/usr/bin/env bash
# Runs a command on the project's Node.js (.node-version; see scripts/lib/pinned-node.sh). Every npm
# script that runs node goes through here, so `npm start`, `npm test` and the rest run on it
# whatever node the machine has.
set -euo pipefail
source "$(dirname "$0")/lib/pinned-node.sh"
use_pinned_node
exec "$@"
