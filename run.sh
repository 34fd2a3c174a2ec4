#!/usr/bin/env bash
# The two set-up commands of the README.  Each creates .venv (Python 3.11) on first use and
# installs rumormill with pinned dependencies (constraints.txt) from PyPI.
#
#   bash run.sh demo    install, then run the main job (rumormill demo) on the bundled Wikinews
#                       demo corpus
#   bash run.sh test    install with the dev tools, then lint, type-check and run every test
set -euo pipefail
cd "$(dirname "$0")"

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
VENV="${VENV:-.venv}"

venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        "$PYTHON" -m venv "$VENV"
    fi
    "$VENV/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' \
        || { echo "rumormill needs Python 3.11 (set PYTHON=...)" >&2; exit 1; }
}

install() {  # $1: the extras, e.g. "[dev]" or ""
    venv
    local stamp="$VENV/.installed$1"
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
            -c constraints.txt -e ".$1"
        touch "$stamp"
    fi
}

case "${1:-}" in
    demo)
        install ""
        "$VENV/bin/rumormill" demo "${@:2}"
        ;;
    test)
        install "[dev]"
        "$VENV/bin/ruff" check .
        "$VENV/bin/ruff" format --check .
        "$VENV/bin/mypy"
        "$VENV/bin/pytest" -q "${@:2}"
        ;;
    *)
        echo "usage: bash run.sh demo|test [pytest args]" >&2
        exit 2
        ;;
esac
