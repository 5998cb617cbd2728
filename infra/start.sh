#!/usr/bin/env bash
# The launcher behind `npm start` (host) and `npm run stream-node`: set-up on a fresh machine
# (infra/setup.sh), a build of the TypeScript into dist/ (infra/build.mjs, well under a second),
# then node on the build, with malloc tuned for a long-running server. Those settings have to be in
# the environment before the process starts, hence a script and not code in the entry:
#   arena_max=2           one malloc arena per thread (glibc's default, up to 8 per core) keeps the
#                         peaks of the face engine's, libvips' and PGlite's threads apart for good
#   mmap_threshold=1 MiB  blocks from 1 MiB up (images, model activations) are mapped and given back
#                         on free instead of staying in the heap; without it the threshold creeps up
#                         to 32 MiB and a few big frames pin their memory
# and V8's young generation capped at 3 x 2 MB (default 3 x 16): request garbage is short-lived, so
# the cap costs scavenges, not throughput, and saves ~40 MB at the peak (SEMI_SPACE_MB overrides).
# Measured with bench:api (embedded default, 100k persons): see docs/memory.md.
# A GLIBC_TUNABLES already in the environment wins. Usage: infra/start.sh host|stream-node
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-host}" in
  host) entry=dist/functions/host.js ;;
  stream-node) entry=dist/stream-node/main.js ;;
  *) echo "usage: infra/start.sh host|stream-node" >&2; exit 2 ;;
esac
semi="${SEMI_SPACE_MB:-2}"
if ! [[ "$semi" =~ ^[1-9][0-9]{0,3}$ ]]; then
  echo "infra/start.sh: SEMI_SPACE_MB must be a whole number of MB from 1 to 9999 (got '$semi')" >&2
  exit 2
fi
bash infra/setup.sh start
node infra/build.mjs
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=1048576}"
exec node --max-semi-space-size="$semi" "$entry"
