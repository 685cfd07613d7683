# shellcheck shell=bash
# Shared set-up, sourced by scripts/test.sh and scripts/demo.sh (not run alone).
#
# Makes sure that, in the repository root:
#   * .venv exists (python3 -m venv; installs Debian's python3-venv if needed and root),
#   * the project is installed editable with the extras in AG_EXTRAS
#     (default "test"); skipped when .venv/.stamp-<extras> records the same
#     hash of pyproject.toml (and repo path) as the last successful install;
#     when the project is already installed from this pyproject.toml with other
#     extras, only the requirements still missing are installed,
#   * Graphviz's `dot` program is present (apt-get when root, else a note).
# Needs only Python >= 3.10 with pip, and network access to PyPI / Debian.

AG_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AG_EXTRAS="${AG_EXTRAS:-test}"
AG_VENV="$AG_ROOT/.venv"
_ag_apt_updated=0

_ag_log() { echo "[setup] $*" >&2; }

_ag_apt_install() {  # apt-get install as root, running 'apt-get update' once first
    export DEBIAN_FRONTEND=noninteractive
    if [ "$_ag_apt_updated" = 0 ]; then
        apt-get update -qq >/dev/null && _ag_apt_updated=1
    fi
    apt-get install -y -qq "$@" >/dev/null
}

# --- Python and the virtual environment -------------------------------------
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    _ag_log "Python >= 3.10 is required; found: $(python3 --version 2>&1)"
    exit 1
fi

if [ ! -x "$AG_VENV/bin/python" ] || ! "$AG_VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    _ag_log "creating $AG_VENV"
    rm -rf "$AG_VENV"
    if ! python3 -m venv "$AG_VENV" 2>/dev/null; then
        rm -rf "$AG_VENV"
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            _ag_log "python3 -m venv failed; installing python3-venv with apt-get"
            _ag_apt_install python3-venv
            python3 -m venv "$AG_VENV"
        else
            _ag_log "python3 -m venv failed: install your distribution's venv package" \
                    "(Debian/Ubuntu: sudo apt-get install python3-venv) and re-run"
            exit 1
        fi
    fi
fi

# --- the project itself, editable, with the requested extras ----------------
_ag_stamp="$AG_VENV/.stamp-${AG_EXTRAS//,/-}"
_ag_hash="$(python3 - "$AG_ROOT" <<'PY'
import hashlib, pathlib, sys
root = pathlib.Path(sys.argv[1])
h = hashlib.sha256((root / "pyproject.toml").read_bytes())
h.update(str(root).encode())  # a moved checkout needs a fresh editable install
print(h.hexdigest())
PY
)"
# .stamp-editable: the hash of the last editable install (whatever its extras), so
# that the installed metadata lists this pyproject.toml's extras. Then another
# extra (test.sh after demo.sh) needs only its missing requirements, checked
# here in well under a second, instead of a full `pip install -e` (which builds
# the project again and walks every requirement: many seconds).
_ag_editable="$AG_VENV/.stamp-editable"
if [ "$(cat "$_ag_stamp" 2>/dev/null)" != "$_ag_hash" ]; then
    if [ "$(cat "$_ag_editable" 2>/dev/null)" = "$_ag_hash" ] \
        && _ag_missing="$("$AG_VENV/bin/python" - "$AG_EXTRAS" <<'PY'
# Print the requirements of the given extras that are not installed (or whose
# installed version does not match); exit 1 when that cannot be told.
import sys
from importlib import metadata
try:
    from pip._vendor.packaging.requirements import Requirement
except ImportError:
    sys.exit(1)
extras = [e.strip() for e in sys.argv[1].split(",") if e.strip()]
for line in metadata.requires("autograd-core") or []:
    req = Requirement(line)
    if req.marker is None or not any(req.marker.evaluate({"extra": e}) for e in extras):
        continue
    try:
        version = metadata.version(req.name)
    except metadata.PackageNotFoundError:
        version = None
    if version is None or not req.specifier.contains(version, prereleases=True):
        req.marker = None
        print(req)
PY
)"; then
        if [ -n "$_ag_missing" ]; then
            _ag_log "installing what autograd-core[$AG_EXTRAS] lacks:" $_ag_missing "(pip -q)"
            # shellcheck disable=SC2086  # one requirement per word
            "$AG_VENV/bin/python" -m pip install -q --disable-pip-version-check $_ag_missing
        fi
    else
        _ag_log "installing autograd-core[$AG_EXTRAS] into .venv (pip -q)"
        "$AG_VENV/bin/python" -m pip install -q --disable-pip-version-check \
            -e "${AG_ROOT}[${AG_EXTRAS}]"
        echo "$_ag_hash" > "$_ag_editable"
    fi
    echo "$_ag_hash" > "$_ag_stamp"
fi

# --- Graphviz's dot (used by autograd_core.viz to render graphs) ------------
if ! command -v dot >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        _ag_log "installing Graphviz (dot) with apt-get"
        _ag_apt_install graphviz || _ag_log "apt-get install graphviz failed; rendering graphs will not work"
    else
        _ag_log "note: Graphviz 'dot' not found; graph rendering needs it." \
                "Install it with 'sudo apt-get install graphviz' (Debian/Ubuntu)," \
                "'brew install graphviz' (macOS) or from https://graphviz.org/download/"
    fi
fi
unset _ag_stamp _ag_hash _ag_editable _ag_missing
