#!/usr/bin/env bash
# Times GNU `grep -o -F -w -f` on the same corpus and aliases as ww_tagging_bench (which
# writes them to a temp dir), on one core, case-sensitive (grep -i runs out of memory on
# these alias lists). Prints MB/s, seconds, peak RSS and the match count per alias count.
#   tools/bench/grep_reference.sh [BUILD_DIR] [SIZES]      # defaults: build, 10000,100000
#   e.g. tools/bench/grep_reference.sh build-tagging 10000,100000,1000000
set -euo pipefail
build="${1:-build}"
sizes="${2:-10000,100000}"
bench="$build/bin/ww_tagging_bench"
[ -x "$bench" ] || { echo "grep_reference: $bench not built" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$bench" --dump_dir="$tmp" --sizes="$sizes"
[ -f "$tmp/corpus.txt" ] || { echo "grep_reference: no shared data; skipping"; exit 0; }
bytes=$(stat -c %s "$tmp/corpus.txt")
pin=""; command -v taskset >/dev/null && pin="taskset -c ${WW_BENCH_CPU:-1}"
for n in ${sizes//,/ }; do
  start=$(date +%s.%N)
  matches=$(LC_ALL=C.UTF-8 /usr/bin/time -f "%M" -o "$tmp/rss" \
    $pin grep -o -F -w -f "$tmp/aliases-$n.txt" "$tmp/corpus.txt" | wc -l || true)
  end=$(date +%s.%N)
  awk -v n="$n" -v b="$bytes" -v s="$start" -v e="$end" -v m="$matches" -v rss="$(cat "$tmp/rss")" \
    'BEGIN { t = e - s; printf "grep -o -F -w  aliases=%-8d %.2f s  %.1f MB/s  peak RSS %d MB  matches %d\n", n, t, b / t / 1e6, rss / 1024, m }'
done
