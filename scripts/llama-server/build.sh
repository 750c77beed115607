#!/usr/bin/env bash
# Builds llama.cpp's llama-server from the source bundle pinned inside node-llama-cpp, once per machine.
# The binary and its shared libraries are cached outside the repository, keyed by the package version:
#   ${TIERGATE_CACHE:-$HOME/.cache/tiergate}/llama-server-<version>/bin/llama-server
# Prints that path on its last line. Exit 2 when a compiler or cmake is missing, 1 on any other failure.
# Used by .ci/run and test/llama (docs/testing.md). GGML_NATIVE: the binary fits this machine's CPU;
# do not copy the cache to a different kind of machine.
set -euo pipefail

version="3.22.1" # node-llama-cpp; its bundle is llama.cpp de3ff815ea7d
cache="${TIERGATE_CACHE:-$HOME/.cache/tiergate}"
dest="$cache/llama-server-$version"
bin="$dest/bin/llama-server"

# Run it as its users do: from elsewhere, finding its shared libraries in its own folder
# (LD_LIBRARY_PATH; builds before RPATH_USE_ORIGIN had only the deleted build tree in RUNPATH).
runs() { (cd / && LD_LIBRARY_PATH="$dest/bin" "$bin" --version >/dev/null 2>&1); }

if [ -x "$bin" ] && runs; then
  echo "$bin"
  exit 0
fi

missing=()
for tool in cmake c++ make git npm; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ "${#missing[@]}" -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "llama-server: installing ${missing[*]} from Debian's packages" >&2
  (apt-get update -qq && apt-get install -y -qq cmake build-essential git) >&2 || true
  missing=()
  for tool in cmake c++ make git npm; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "llama-server: cannot build: missing ${missing[*]} (apt-get install -y cmake build-essential git)" >&2
  exit 2
fi

# One build at a time per cache (two CI runs on one machine): the second waits, then reuses it.
mkdir -p "$cache"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$cache/llama-server-$version.lock"
  flock 9
  if [ -x "$bin" ] && runs; then
    echo "$bin"
    exit 0
  fi
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/llama-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
echo "llama-server: fetching node-llama-cpp@$version's llama.cpp source bundle" >&2
npm pack --silent "node-llama-cpp@$version" >/dev/null
tar -xzf "node-llama-cpp-$version.tgz" package/llama/gitRelease.bundle
git -c advice.detachedHead=false clone -q package/llama/gitRelease.bundle src

echo "llama-server: building (10-16 minutes on 2 cores; once per machine)" >&2
cmake -S src -B build -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DLLAMA_BUILD_TESTS=OFF \
  -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON -DLLAMA_USE_PREBUILT_UI=OFF \
  -DCMAKE_BUILD_RPATH_USE_ORIGIN=ON >build.log 2>&1 \
  || { tail -n 30 build.log >&2; exit 1; }
cmake --build build --target llama-server -j"$(nproc)" >>build.log 2>&1 || { tail -n 30 build.log >&2; exit 1; }

# The binary loads the ggml/llama shared libraries from its own folder: keep them together.
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp/bin"
cp -a build/bin/. "$dest.tmp/bin/"
find build -name '*.so*' -exec cp -a {} "$dest.tmp/bin/" \;
rm -rf "$dest" && mv "$dest.tmp" "$dest"
runs || { echo "llama-server: the built binary does not run" >&2; exit 1; }
echo "$bin"
