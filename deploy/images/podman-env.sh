# Sourced by the image build and the deployment checks: installs buildah and podman (Debian's) if
# they are missing and points them at our settings (containers.conf, storage.conf in this directory),
# which this machine kind needs: runc (crun fails on its hybrid cgroups), cgroupfs, a file event log,
# ulimits it can grant, overlay storage, and no network namespace by default.
images_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
image_tools=(buildah podman mmdebstrap runc skopeo uidmap fuse-overlayfs containernetworking-plugins catatonit)
if ! command -v buildah >/dev/null || ! command -v podman >/dev/null || ! command -v mmdebstrap >/dev/null; then
  printf '\033[1m[images]\033[0m installing %s\n' "${image_tools[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${image_tools[@]}" >/dev/null
fi
export CONTAINERS_CONF="$images_dir/containers.conf"
export CONTAINERS_STORAGE_CONF="$images_dir/storage.conf"
