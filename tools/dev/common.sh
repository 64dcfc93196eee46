# Shared by the tools/dev scripts: where things are, and small helpers. Sourced, not run.
WW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WW_BUILD=${WW_BUILD:-$WW_ROOT/build}
WW_CACHE=${WW_CACHE:-$HOME/.cache/wirewatch}
export WW_CACHE
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
