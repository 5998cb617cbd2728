#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine, and nothing twice:
#   npm dependencies (npm ci when node_modules is missing or older than package-lock.json, then the
#   patches in patches/), and
#   Debian packages listed in infra/apt-packages.txt (only the missing ones; needs root, as CI is).
# Usage: infra/setup.sh [start|test]   ("test" also installs the packages only tests need)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-start}"
export ONNXRUNTIME_NODE_INSTALL=skip

# patches/: fixes to dependencies not yet released upstream (patches/README.md), applied by
# patch-package right after the install; npm runs no install script (.npmrc), so it is done here.
stamp=node_modules/.setup-stamp
install_stale() { [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; }
if install_stale || [ -n "$(find patches -newer "$stamp" 2>/dev/null)" ]; then
  if install_stale; then
    echo "setup: installing npm dependencies (npm ci)" >&2
    npm ci --no-audit --no-fund >&2
  fi
  echo "setup: patching dependencies (patch-package)" >&2
  node node_modules/patch-package/index.js --error-on-fail >&2
  touch "$stamp"
fi

# Lines: "<package> <command-it-provides> <start|test>"; '#' starts a comment.
missing=()
while read -r pkg cmd when _; do
  [ -z "${pkg:-}" ] && continue
  case "$pkg" in \#*) continue ;; esac
  [ "$when" = test ] && [ "$mode" != test ] && continue
  if [ "$cmd" = "-" ]; then dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  else command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg"); fi
done < infra/apt-packages.txt

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "setup: apt-get install ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
