#!/usr/bin/env bash
# Python feedparser (PyPI) on the same feeds as ww_feeds_bench's Parse/* benchmarks (every .xml
# of ../shared/data/feeds gofeed-testdata/parser/{atom,rss} and feedparser-tests), for a
# reference figure: MB/s of feed XML in CPU time (time.process_time), best of 3 passes.
# Installs feedparser into a virtualenv in ~/.cache/wirewatch/feedparser-venv on first use.
#   tools/bench/feeds_reference.sh [DATA_DIR]        # default ../shared/data
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="${1:-${WW_DATA_DIR:-$root/../shared/data}}"
[ -d "$data/feeds" ] || { echo "feeds_reference: no $data/feeds; skipping"; exit 0; }
venv="${XDG_CACHE_HOME:-$HOME/.cache}/wirewatch/feedparser-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q feedparser
fi
"$venv/bin/python" - "$data/feeds" <<'PY'
import io, pathlib, sys, time, feedparser
base = pathlib.Path(sys.argv[1])
docs = []
for sub in ("gofeed-testdata/parser/atom", "gofeed-testdata/parser/rss", "feedparser-tests"):
    d = base / sub
    if d.is_dir():
        docs += [p.read_bytes() for p in sorted(d.rglob("*.xml")) if p.is_file()]
size = sum(map(len, docs))
best = None
for _ in range(3):
    start = time.process_time()
    items = sum(len(feedparser.parse(io.BytesIO(doc)).entries) for doc in docs)
    t = time.process_time() - start
    best = t if best is None else min(best, t)
print(f"feedparser {feedparser.__version__}: {len(docs)} feeds, {size/1e6:.2f} MB, "
      f"{best:.2f} s CPU, {size/best/1e6:.2f} MB/s, {items} items")
PY
