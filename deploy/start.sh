#!/usr/bin/env bash
# `npm start`: set up this machine if needed, then run the whole platform in the foreground.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/setup.sh
MEDIASOUP_WORKER_BIN=$(bash deploy/mediasoup-worker/build.sh --path)
export MEDIASOUP_WORKER_BIN
# shellcheck source=nats-env.sh
. deploy/nats-env.sh
exec node deploy/run-local.mjs
