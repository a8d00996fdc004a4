# Sourced by ./start and ./test: makes .venv and installs what the app needs on a
# fresh Debian machine. Safe to run again: it does only what is missing.
set -euo pipefail

NAAS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAAS_VENV="$NAAS_ROOT/.venv"

naas_say() { printf 'naas-centre: %s\n' "$*" >&2; }

naas_python() {
    local py
    for py in python3.13 python3.12 python3.11 python3; do
        if command -v "$py" >/dev/null 2>&1 &&
            "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$py"
            return 0
        fi
    done
    naas_say "Python 3.11 or newer is needed (apt-get install python3)."
    return 1
}

# Installs the Debian packages that are missing from the list given.
naas_apt() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
            naas_say "missing Debian packages: ${missing[*]}; install them as root (apt-get install ${missing[*]})."
            return 1
        fi
    fi
    naas_say "installing Debian packages: ${missing[*]}"
    if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
        $sudo apt-get update -q >/dev/null
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

# Qt's own needs: offscreen rendering, and a real window under X11.
NAAS_QT_DEBS=(libgl1 libegl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0
    libxkbcommon0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
    libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 libpulse0 libxrandr2 fonts-dejavu-core)

# $1: "" for the app alone, "test" for the app and its test tools.
naas_venv() {
    local extras="${1:-}" py stamp want
    py="$(naas_python)"
    if [ ! -x "$NAAS_VENV/bin/python" ]; then
        naas_say "creating $NAAS_VENV"
        "$py" -m venv "$NAAS_VENV" 2>/dev/null || {
            naas_apt python3-venv
            "$py" -m venv "$NAAS_VENV"
        }
    fi
    stamp="$NAAS_VENV/.naas-installed"
    want="$(sha256sum "$NAAS_ROOT/pyproject.toml" | cut -c1-16)-${extras:-app}"
    if [ ! -f "$stamp" ] || ! grep -qx -- "$want" "$stamp"; then
        naas_say "installing Python packages into .venv (first run takes a minute)"
        "$NAAS_VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
        local target="$NAAS_ROOT"
        [ -n "$extras" ] && target="$NAAS_ROOT[$extras]"
        # This machine's pip configuration may name local indexes that do not exist:
        # their "Location ... is ignored" lines are noise, not problems.
        "$NAAS_VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$target" 2> >(
            grep -v "^WARNING: Location '.*' is ignored" >&2
        )
        echo "$want" >"$stamp"
        # The test set includes the app set.
        [ "$extras" = "test" ] && echo "$(sha256sum "$NAAS_ROOT/pyproject.toml" | cut -c1-16)-app" >>"$stamp"
    fi
}
