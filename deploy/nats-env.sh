#!/usr/bin/env bash
# The local platform's NATS address and credentials (written by setup.sh), unless NATS_URL already names
# other servers. Sourced by start.sh and test.sh; run with a command (`bash deploy/nats-env.sh node
# bench/api.mjs`), it runs that command with them.
NATS_ENV=/var/lib/mind-platform/nats/client.env
if [[ -z ${NATS_URL:-} && -f $NATS_ENV ]]; then
  set -a
  # shellcheck source=/dev/null
  . "$NATS_ENV"
  set +a
fi
if [[ ${BASH_SOURCE[0]} == "$0" && $# -gt 0 ]]; then exec "$@"; fi
