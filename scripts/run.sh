#!/usr/bin/env bash
# Installs what is missing, builds, and runs the server on its embedded
# default: a private PostgreSQL in ./var, the demo account
# demo@example.com / demo, IMAP on 127.0.0.1:1143.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target postimap
exec ./build/server/postimap serve "$@"
