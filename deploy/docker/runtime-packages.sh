#!/usr/bin/env bash
# Prints the Debian packages that hold the shared libraries BINARY needs at run time, one a
# line, leaving out those every Debian image already has (libc6, libstdc++6, libgcc-s1).
# The Dockerfile's build stage runs it so that each runtime image installs exactly what its
# binary links, nothing more; it runs on any Debian machine with the binary built:
#   deploy/docker/runtime-packages.sh build/bin/ww-tagger
set -euo pipefail
bin=${1:?usage: runtime-packages.sh BINARY}
always=" libc6 libstdc++6 libgcc-s1 "
if ldd "$bin" | grep -q "not found"; then
  ldd "$bin" | grep "not found" >&2
  echo "runtime-packages: $bin links libraries that are not installed" >&2
  exit 1
fi
ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u | while read -r lib; do
  pkg=""
  for candidate in "$lib" "$(readlink -f "$lib")" "/usr$lib" "*/$(basename "$lib")"; do
    pkg=$(dpkg-query -S "$candidate" 2>/dev/null | head -1 | cut -d: -f1) && [ -n "$pkg" ] && break
  done
  [ -n "$pkg" ] || { echo "runtime-packages: no package owns $lib" >&2; exit 1; }
  case "$always" in *" $pkg "*) ;; *) echo "$pkg" ;; esac
done | sort -u
