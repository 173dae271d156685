#!/usr/bin/env bash
# Installs what is missing, builds twice (plain, and with AddressSanitizer
# and UndefinedBehaviorSanitizer), builds the libFuzzer targets with clang,
# and runs every test: unit, integration against a real PostgreSQL, end to
# end with real clients, and each fuzzer for a bounded time. The last lines
# are ctest's summary of all of it.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
jobs=$(nproc)

cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPOSTIMAP_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$jobs"

# libFuzzer targets for the command parser and the MIME parser (clang).
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPOSTIMAP_FUZZ=ON >/dev/null
cmake --build build-fuzz -j "$jobs" --target fuzz_command fuzz_mime

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPOSTIMAP_SANITIZED_BUILD_DIR="$PWD/build-asan" \
  -DPOSTIMAP_FUZZ_BUILD_DIR="$PWD/build-fuzz" >/dev/null
cmake --build build -j "$jobs"

cd build
exec ctest --output-on-failure -j "$jobs" --timeout 900
