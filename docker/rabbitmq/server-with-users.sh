#!/bin/sh
# compose's rabbitmq command: starts the server as the image does, then (re)applies each app
# process's user and permissions (users.sh, generated from messaging/broker-permissions.ts) on
# every start, so a changed password or topology takes effect. The healthcheck passes only once
# they are in place, so no app process connects before its user exists.
set -eu
rm -f /tmp/saga-users-applied
docker-entrypoint.sh rabbitmq-server &
server=$!
trap 'kill -TERM "$server"; wait "$server"' TERM INT
tries=0
until rabbitmq-diagnostics -q check_running >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -gt 90 ]; then echo "rabbitmq did not start within 3 minutes" >&2; exit 1; fi
  sleep 2
done
sh /opt/saga/users.sh >/dev/null
touch /tmp/saga-users-applied
echo "[saga] app users and permissions applied"
wait "$server"
