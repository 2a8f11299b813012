#!/usr/bin/env bash
# Prepares this machine to run or test the platform; safe to run again (each step checks first).
#   - Debian packages the platform and its tests need
#   - npm dependencies (npm ci when the lock file changed)
#   - PostgreSQL and Redis running locally, unless already running, and the platform's own NATS
#     (JetStream, password generated here)
#   - the database role, then a build of all services
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
export DEBIAN_FRONTEND=noninteractive

# --- Debian packages -------------------------------------------------------------------------------
declare -A NEEDS=(
  [psql]=postgresql-client [pg_ctlcluster]=postgresql [redis-server]=redis-server [redis-cli]=redis-tools
  [nats-server]=nats-server [curl]=curl [ffmpeg]=ffmpeg [fc-list]=fontconfig
)
missing=()
for cmd in "${!NEEDS[@]}"; do command -v "$cmd" >/dev/null 2>&1 || missing+=("${NEEDS[$cmd]}"); done
# The mixer writes participants' names on their placeholder tiles with this font.
[[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || missing+=(fonts-dejavu-core)
# Speech recognition (transcription): PocketSphinx and its US English model, and libopus for the
# voices, loaded through FFI.
# (grep reads the whole list: with -q it would stop early, and pipefail would take ldconfig's SIGPIPE
# for a missing library.)
has_library() { ldconfig -p | grep -F "$1 " >/dev/null; }
has_library libpocketsphinx.so.3 || missing+=(libpocketsphinx3)
has_library libopus.so.0 || missing+=(libopus0)
[[ -f /usr/share/pocketsphinx/model/en-us/en-us.lm.bin ]] || missing+=(pocketsphinx-en-us)
# Phone lines (the SIP gateway): spandsp's G.722, loaded through FFI (libopus serves them too).
has_library libspandsp.so.2 || missing+=(libspandsp2)
# Streaming to rtmps:// checks the destination's certificate against these.
[[ -f /etc/ssl/certs/ca-certificates.crt ]] || missing+=(ca-certificates)
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Node.js dependencies --------------------------------------------------------------------------
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi
# Our fixes to dependencies (patches/, e.g. the SIP stack's hardening): install scripts never run
# (.npmrc), so they are applied here; applying them again changes nothing.
npx patch-package --error-on-fail >/dev/null

# --- PostgreSQL ------------------------------------------------------------------------------------
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  if [[ -z "$version" ]]; then log "no PostgreSQL cluster found" >&2; exit 1; fi
  log "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
fi
# The platform connects as role "mind" (password "mind", may create its databases); local defaults only.
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname = 'mind'\"" | grep -q 1 ||
  su postgres -c "psql -qc \"CREATE ROLE mind LOGIN PASSWORD 'mind' CREATEDB\"" >/dev/null
# Every commit waits while a backend creates the next 16 MB WAL segment, which PostgreSQL fills with
# zeros first: 45-70 ms on this machine's disk, once per 16 MB of WAL (every 12 s of message posts at
# 740/s), the API's longest stalls (bench/README.md). Unfilled, a new segment costs a one-byte write.
if [[ $(su postgres -c "psql -qtAc 'SHOW wal_init_zero'") != off ]]; then
  su postgres -c "psql -qc 'ALTER SYSTEM SET wal_init_zero = off' -c 'SELECT pg_reload_conf()'" >/dev/null
fi

# --- Redis -----------------------------------------------------------------------------------------
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/mind.log
fi

# --- NATS with JetStream ---------------------------------------------------------------------------
# The platform's own server, which lets in only clients with the password generated here (API calls and
# events cross it); deploy/nats-env.sh hands the services its address and credentials.
NATS_DIR=/var/lib/mind-platform/nats
NATS_PORT=4223
if [[ ! -f $NATS_DIR/client.env ]]; then
  log "generating NATS credentials in $NATS_DIR"
  mkdir -p "$NATS_DIR/jetstream"
  chmod 700 "$NATS_DIR"
  password=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
  (
    umask 077
    printf 'listen: 127.0.0.1:%s\njetstream { store_dir: "%s/jetstream" }\nauthorization { user: mind, password: "%s" }\n' \
      "$NATS_PORT" "$NATS_DIR" "$password" >"$NATS_DIR/nats.conf"
    printf 'NATS_URL=nats://127.0.0.1:%s\nMIND_NATS_USER=mind\nMIND_NATS_PASSWORD=%s\n' \
      "$NATS_PORT" "$password" >"$NATS_DIR/client.env"
  )
fi
if ! (exec 3<>/dev/tcp/127.0.0.1/$NATS_PORT) 2>/dev/null; then
  log "starting NATS with JetStream on 127.0.0.1:$NATS_PORT"
  start-stop-daemon --start --oknodo --background --make-pidfile --pidfile "$NATS_DIR/nats.pid" \
    --exec "$(command -v nats-server)" -- -c "$NATS_DIR/nats.conf" -l /var/log/mind-nats.log
  for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$NATS_PORT) 2>/dev/null && break; sleep 0.2; done
fi

# --- mediasoup worker (built once per machine from the npm package's sources, cached) -----------------
node deploy/mediasoup-worker/patch-node.mjs
bash deploy/mediasoup-worker/build.sh >/dev/null

# --- Build -----------------------------------------------------------------------------------------
log "building"
npm run build --silent
