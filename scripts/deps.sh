#!/usr/bin/env bash
# Installs the Debian packages Pforte needs: `deps.sh run` for building and running,
# `deps.sh test` adds what `make check` needs. Quiet and quick when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN_PKGS="build-essential pkg-config libmicrohttpd-dev libsqlite3-dev libsodium-dev libzxcvbn-dev
 libcurl4-openssl-dev zlib1g-dev libcmark-gfm-dev libcmark-gfm-extensions-dev libjansson-dev
 libpq-dev libgmime-3.0-dev wngerman wamerican"
TEST_PKGS="$RUN_PKGS libcmocka-dev clang chromium chromium-driver nginx-light wrk
 postgresql python3-aiosmtpd curl sqlite3"
case "${1:-run}" in
  run) want=$RUN_PKGS ;;
  test) want=$TEST_PKGS ;;
  *) echo "usage: $0 run|test" >&2; exit 2 ;;
esac
missing=()
# node and npm may come from another source than Debian; only install Debian's when absent
if [ "${1:-run}" = test ] && ! command -v npm >/dev/null; then want="$want nodejs npm"; fi
for p in $want; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Pforte needs these Debian packages: ${missing[*]}" >&2
    echo "Run as root (or: sudo apt-get install ${missing[*]}) and try again." >&2
    exit 1
  fi
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=900 update -qq
  apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "${1:-run}" = test ]; then
  if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "Installing npm dev packages (package-lock.json)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
fi
