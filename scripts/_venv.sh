# Sourced by scripts/serve and scripts/test: make .venv and install pinned requirements, skipping
# the install when the requirement files have not changed since the last one.
set -euo pipefail
REQS="$1"
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "Python 3.11 or newer is needed (found $("$PYTHON" --version)). Set PYTHON=/path/to/python3.11." >&2
  exit 1
}
if [ ! -x .venv/bin/python ]; then
  echo "Creating virtual environment in .venv"
  "$PYTHON" -m venv .venv || {
    echo "Could not create a venv. On Debian/Ubuntu: sudo apt-get install python3-venv" >&2
    exit 1
  }
fi
STAMP=".venv/.installed-$(basename "$REQS")"
WANT="$(cat requirements*.txt | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  echo "Installing $REQS"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$REQS"
  echo "$WANT" > "$STAMP"
fi
# shellcheck disable=SC1091
. .venv/bin/activate
