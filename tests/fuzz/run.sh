#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (AddressSanitizer with leak detection,
# UndefinedBehaviorSanitizer) in a build folder of their own and runs each for SECONDS.
#   tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
#   tests/fuzz/run.sh build/fuzz 600 feeds_xml_fuzz      # a longer run of one target
# Seeds: tests/fuzz/seeds/<kind>/ plus the feeds of ../shared/data/feeds when present. What a
# run finds new is kept in BUILD_DIR/corpus/<target>, so runs build on each other. A crash or
# leak fails the run and leaves the input in BUILD_DIR/artifacts/ (replay it with
# BUILD_DIR/<target> FILE). Exits 77 (ctest: skipped) when clang or libFuzzer is missing.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 BUILD_DIR SECONDS [TARGET...]" >&2; exit 2; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$(mkdir -p "$1" && cd "$1" && pwd)"
seconds="$2"
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(feeds_xml_fuzz feeds_json_fuzz feeds_html_fuzz feeds_opml_fuzz)

cxx="${WW_FUZZ_CXX:-clang++}"
if ! command -v "$cxx" >/dev/null ||
   ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' |
     "$cxx" -x c++ -fsanitize=fuzzer,address - -o "$build/probe" 2>/dev/null; then
  echo "SKIPPED: needs clang with libFuzzer (Debian: clang libclang-rt-14-dev)" >&2
  exit 77
fi

if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$here" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" >"$build/configure.log" 2>&1 ||
    { cat "$build/configure.log" >&2; exit 1; }
fi
cmake --build "$build" -j "${WW_FUZZ_JOBS:-2}" --target "${targets[@]}"

shared="$root/../shared/data/feeds"
seeds_for() {
  local kind="$1"
  echo "$here/seeds/$kind"
  [ -d "$shared" ] || return 0
  case "$kind" in
    xml)  for d in feedparser-tests/encoding feedparser-tests/entities \
                   feedparser-tests/illformed feedparser-tests/wellformed \
                   gofeed-testdata/parser/atom gofeed-testdata/parser/rss; do
            [ -d "$shared/$d" ] && echo "$shared/$d"; done ;;
    json) for d in feedparser-tests/json gofeed-testdata/parser/json; do
            [ -d "$shared/$d" ] && echo "$shared/$d"; done ;;
    html) d="$shared/feedparser-tests/wellformed"; [ -d "$d" ] && echo "$d" ;;
  esac
  return 0
}

export ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:${UBSAN_OPTIONS:-}"
failed=0
for t in "${targets[@]}"; do
  kind="${t#feeds_}"; kind="${kind%_fuzz}"
  mkdir -p "$build/corpus/$t" "$build/artifacts"
  mapfile -t seeds < <(seeds_for "$kind")
  echo "== $t: ${seconds}s, seeds ${seeds[*]}"
  if ! "$build/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
         -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" \
         "$build/corpus/$t" "${seeds[@]}" >"$build/$t.log" 2>&1; then
    echo "FAILED: $t (log $build/$t.log)" >&2
    grep -A30 -E "ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error" \
      "$build/$t.log" >&2 || tail -40 "$build/$t.log" >&2
    failed=1
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/$t.log" | tr '\n' ' '
    echo
  fi
done
exit $failed
