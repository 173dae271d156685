#!/bin/bash
# The container's health: GET /healthz on the worker's http_listen must
# answer 200 (database reachable, migrations applied). Bash only: the image
# has no curl. Installed as /usr/local/bin/postimap-healthcheck.
set -euo pipefail

listen=${POSTIMAP_HTTP_LISTEN:-}
if [ -z "$listen" ] || [ "$listen" = off ]; then
  echo "http_listen is off: nothing to check" >&2
  exit 0
fi
port=${listen##*:}
host=${listen%:*}
host=${host#[}
host=${host%]}
case "$host" in
  "" | 0.0.0.0) host=127.0.0.1 ;;
  ::) host=::1 ;;
esac

status=
if { exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null; then
  printf 'GET /healthz HTTP/1.0\r\nHost: %s\r\n\r\n' "$host" >&3 || true
  IFS= read -r -t 4 status <&3 || true
fi
case "$status" in
  "HTTP/1."?" 200"*) exit 0 ;;
  *) echo "healthz on $host:$port: ${status:-no answer}" >&2; exit 1 ;;
esac
