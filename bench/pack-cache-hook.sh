#!/bin/sh
# A pack cache for the benchmark's git server, as hosted git servers keep one (GitLab's Gitaly
# caches pack-objects output for identical fetches, which is what every depth-1 clone of one
# commit is): git's upload-pack runs it as its uploadpack.packObjectsHook, `hook git pack-objects
# ARGS...`, the request on stdin. The first fetch of a request builds the pack and keeps it in
# $PACK_CACHE_DIR; the same request again is answered from there.
set -eu
dir=${PACK_CACHE_DIR:?PACK_CACHE_DIR names the cache directory}
request=$(mktemp "$dir/request.XXXXXX")
trap 'rm -f "$request" "${pack:-}"' EXIT
cat >"$request"
key=$({ printf '%s\0' "$@"; cat "$request"; } | sha256sum | cut -c1-64)
if [ -f "$dir/$key.pack" ]; then
  cat "$dir/$key.pack"
  exit 0
fi
pack=$(mktemp "$dir/pack.XXXXXX")
# Kept only once pack-objects has succeeded; a failed one is answered as it failed.
"$@" <"$request" >"$pack"
mv "$pack" "$dir/$key.pack"
pack=
cat "$dir/$key.pack"
