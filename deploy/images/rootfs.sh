#!/usr/bin/env bash
# The root file systems the images start from, made by mmdebstrap from this machine's Debian sources
# (minbase: no shell tools beyond coreutils and bash), with a non-root user `mind` (10001) and
# without apt's caches, documentation and translations. build.sh keys its cache by this file.
#
#   rootfs.sh <kind> <out.tar>   kind: node | av | asr
set -euo pipefail
kind=$1
out=$2
common=ca-certificates,tini,libopus0,libspandsp2
case $kind in
  node) packages=$common ;;
  # The mixer and recorder run ffmpeg (names drawn in DejaVu); the mediasoup worker built by
  # deploy/mediasoup-worker links these libraries.
  av) packages="$common,ffmpeg,fonts-dejavu-core,libssl3,libuv1,libsrtp2-1,libusrsctp2,libabsl20220623" ;;
  asr) packages="$common,libpocketsphinx3,pocketsphinx-en-us" ;;
  *)
    echo "rootfs.sh: unknown kind '$kind'" >&2
    exit 1
    ;;
esac
printf '\033[1m[images]\033[0m root file system %s (%s) by mmdebstrap\n' "$kind" "$packages" >&2
mmdebstrap --quiet --variant=minbase --mode=root --format=tar --include="$packages" \
  --customize-hook='chroot "$1" groupadd --gid 10001 mind' \
  --customize-hook='chroot "$1" useradd --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin mind' \
  --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/* "$1"/usr/share/doc/* "$1"/usr/share/man/* "$1"/usr/share/info/* "$1"/usr/share/locale/*' \
  bookworm "$out" /etc/apt/sources.list.d/debian.sources
