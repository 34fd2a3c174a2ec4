#!/usr/bin/env bash
# The two set-up commands of the README.  Each creates .venv (Python 3.11) on first use and
# installs rumormill with pinned dependencies (constraints.txt) from PyPI.
#
#   bash run.sh demo    install, then run the main job (rumormill demo) on the bundled Wikinews
#                       demo corpus
#   bash run.sh test    install with the dev tools (and Debian's Chromium for the browser
#                       tests, with apt-get, when /usr/bin/chromium is missing), then lint,
#                       type-check and run every test
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

chromium() {  # the browser tests drive Debian's Chromium: install it when it is missing
    local browser="${RUMORMILL_CHROMIUM:-/usr/bin/chromium}"
    [ -x "$browser" ] && return 0
    local sudo=()
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            sudo=(sudo -n)
        else
            echo "run.sh: $browser is missing and cannot be installed (not root, no sudo):" \
                "install Debian's chromium (apt-get install --no-install-recommends chromium)" >&2
            exit 1
        fi
    fi
    if ! command -v apt-get >/dev/null; then
        echo "run.sh: $browser is missing and there is no apt-get to install it:" \
            "install Chromium there or set RUMORMILL_CHROMIUM to its path" >&2
        exit 1
    fi
    echo "run.sh: installing Chromium for the browser tests (apt-get install chromium)" >&2
    local install=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q --no-install-recommends chromium)
    if ! "${install[@]}" >/dev/null; then  # the package lists may be missing or stale
        { "${sudo[@]}" apt-get update -q >/dev/null && "${install[@]}" >/dev/null; } || {
            echo "run.sh: could not install chromium with apt-get (see the errors above)" >&2
            exit 1
        }
    fi
    [ -x "$browser" ] || {
        echo "run.sh: apt-get installed chromium but $browser is still missing" >&2
        exit 1
    }
}

case "${1:-}" in
    demo)
        install ""
        "$VENV/bin/rumormill" demo "${@:2}"
        ;;
    test)
        install "[dev]"
        chromium
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
