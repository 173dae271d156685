#!/usr/bin/env bash
# Installs what is missing, builds twice (plain, and with AddressSanitizer
# and UndefinedBehaviorSanitizer), and runs every test: unit, integration
# against a real PostgreSQL, and end to end with real clients. The last
# lines are ctest's summary of all of it.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
jobs=$(nproc)

cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPOSTIMAP_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$jobs"

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPOSTIMAP_SANITIZED_BUILD_DIR="$PWD/build-asan" >/dev/null
cmake --build build -j "$jobs"

cd build
exec ctest --output-on-failure -j "$jobs" --timeout 900
