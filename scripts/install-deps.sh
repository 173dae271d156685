#!/usr/bin/env bash
# Installs the Debian 12 packages Postimap needs to build, run and test,
# skipping those already installed. Uses sudo when not root.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libpq-dev libboost-dev libssl-dev libsasl2-dev libsasl2-modules zlib1g-dev
  libgtest-dev libgmock-dev
  postgresql postgresql-contrib
  python3 curl openssl isync clang-format clang libclang-rt-14-dev
  haproxy swaks docker-compose
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
