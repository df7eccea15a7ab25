#!/usr/bin/env bash
# Installs the emulator's venv if needed, then runs its own test suite (boto3 against the server).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/setup.sh"
cd "$here"
exec "$here/.venv/bin/python" -m pytest -q -p no:cacheprovider "$@" test_emulator.py
