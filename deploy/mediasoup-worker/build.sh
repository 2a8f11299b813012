#!/usr/bin/env bash
# Builds the mediasoup worker from the sources inside the npm package, against Debian's libraries,
# offline: mediasoup's own build downloads a prebuilt binary, pip packages and meson subprojects.
# The binary is cached outside the checkout, keyed by mediasoup version and this directory's hash,
# so a clean clone builds it once per machine (about 6 minutes on 2 cores).
#
#   build.sh          ensure the cached binary exists (build if needed); print its path
#   build.sh --path   print where the binary is (or would be) cached, build nothing
#
# MEDIASOUP_WORKER_BIN, when set, is used as is and nothing is built.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
package="$root/node_modules/mediasoup"

log() { printf '\033[1m[mediasoup-worker]\033[0m %s\n' "$*" >&2; }

if [[ -n "${MEDIASOUP_WORKER_BIN:-}" ]]; then
  echo "$MEDIASOUP_WORKER_BIN"
  exit 0
fi
[[ -f "$package/package.json" ]] || { log "mediasoup is not installed (run npm ci first)"; exit 1; }
version=$(node -p "require('$package/package.json').version")
recipe_hash=$(cd "$here" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
cache="${MIND_CACHE_DIR:-/var/cache/mind-platform}/mediasoup-worker/$version-$recipe_hash"
binary="$cache/mediasoup-worker"

if [[ "${1:-}" == "--path" ]]; then
  echo "$binary"
  exit 0
fi

runtime_packages=(libssl3 libuv1 libsrtp2-1 libusrsctp2 libabsl20220623)
build_packages=(ninja-build pkg-config g++ python3 patch libssl-dev libuv1-dev libsrtp2-dev libusrsctp-dev libabsl-dev
  libflatbuffers-dev flatbuffers-compiler)
export DEBIAN_FRONTEND=noninteractive

if [[ -x "$binary" ]]; then
  missing=$(dpkg-query -W -f='${Status}\n' "${runtime_packages[@]}" 2>/dev/null | grep -vc 'install ok installed' || true)
  if [[ "$missing" != "0" ]]; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${runtime_packages[@]}" >/dev/null
  fi
  echo "$binary"
  exit 0
fi

# meson >= 1.1 is needed; bookworm has 1.0, bookworm-backports (same mirror) has 1.7.
meson_ok() { command -v meson >/dev/null && dpkg --compare-versions "$(meson --version)" ge 1.1; }
if ! meson_ok; then
  log "installing meson from bookworm-backports"
  eval "$(apt-config shell PARTS Dir::Etc::sourceparts/d)"
  if [[ ! -f "${PARTS}mind-backports.sources" ]]; then
    source_entry=$(ls "${PARTS}"*.sources 2>/dev/null | head -n 1)
    sed -n '1,/^$/p' "$source_entry" | sed 's/^Suites: .*/Suites: bookworm-backports/' > "${PARTS}mind-backports.sources"
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends -t bookworm-backports meson >/dev/null
fi
missing=()
for p in "${build_packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if ((${#missing[@]})); then
  log "installing build dependencies: ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log "building mediasoup-worker $version in $work (takes a few minutes)"
cp -r "$package/worker" "$work/worker"
W="$work/worker"
# Our subprojects replace the download-only wraps.
rm -rf "$W/subprojects"
cp -r "$here/subprojects" "$W/subprojects"

# Debian's OpenSSL has kTLS. mediasoup's BIO callback answers 1 to every BIO_CB_CTRL|BIO_CB_RETURN,
# so OpenSSL believes kTLS is on, leaves the DTLS write buffer NULL and the worker crashes on the first
# DTLS handshake. Return the real ctrl result instead.
sed -i 's/(operationType == BIO_CB_RETURN) ? static_cast<long>(ret) : 1;/(operationType \& BIO_CB_RETURN) ? static_cast<long>(ret) : 1;/' \
  "$W/src/RTC/DtlsTransport.cpp"
grep -q '(operationType & BIO_CB_RETURN)' "$W/src/RTC/DtlsTransport.cpp" || { log "DtlsTransport.cpp fix did not apply"; exit 1; }

# Forwarded packets carry libwebrtc's header extension ids (extension-ids.json, and
# patch-node.mjs for the Node side).
node -e '
  const fs = require("fs");
  const [ids, header] = process.argv.slice(1);
  let source = fs.readFileSync(header, "utf8");
  for (const [name, entry] of Object.entries(JSON.parse(fs.readFileSync(ids, "utf8")))) {
    if (name.startsWith("_")) continue;
    const pattern = new RegExp(`(\\b${name}\\s*=\\s*)\\d+`);
    if (!pattern.test(source)) throw new Error(`${name} not found in ${header}`);
    source = source.replace(pattern, `$1${entry.id}`);
  }
  fs.writeFileSync(header, source);
' "$here/extension-ids.json" "$W/include/RTC/RtpDictionaries.hpp"

# Consumers numbered as their remote numbers payload types and header extensions (worker.patch, with
# the Node side in patch-node.mjs): Firefox and any client that numbers differently from the Router.
patch --quiet -p1 -d "$W" < "$here/worker.patch"

cd "$W"
# liburing: Debian's 2.3 lacks calls mediasoup needs; it is only an optimisation.
meson setup --wrap-mode=nodownload --buildtype release -Db_ndebug=true -Dms_disable_liburing=true out/build >&2
# The FlatBuffers headers must exist before the rest compiles.
meson compile -C out/build flatbuffers-generator >&2
meson compile -C out/build -j "$(nproc)" mediasoup-worker >&2
strip out/build/mediasoup-worker
mkdir -p "$cache"
cp out/build/mediasoup-worker "$binary.tmp"
mv "$binary.tmp" "$binary"
log "cached $binary"
echo "$binary"
