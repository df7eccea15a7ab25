#!/usr/bin/env bash
# Creates tests/emulator/.venv with the pinned emulator dependencies. Idempotent: a venv whose
# recorded requirements hash matches requirements.txt is left alone.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
req="$here/requirements.txt"
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' 2>/dev/null; then
  echo "setup.sh: $python must be Python 3.9 or newer" >&2
  exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
  if ! "$python" -m venv "$venv" 2>/dev/null; then
    # Debian/Ubuntu ship venv separately.
    if command -v apt-get >/dev/null 2>&1; then
      rm -rf "$venv"
      pyver="$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
      (apt-get update -qq && apt-get install -y -qq "python${pyver}-venv") >/dev/null 2>&1 \
        || (apt-get install -y -qq python3-venv) >/dev/null 2>&1 || true
      "$python" -m venv "$venv"
    else
      exit 1
    fi
  fi
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$req"
echo "$want" > "$stamp"
