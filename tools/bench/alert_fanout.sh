#!/usr/bin/env bash
# Alert fan-out benchmark on loopback: a Kafka broker of its own, one ww-alerter, and
# ww_alert_fanout_bench with N subscribers and R alerts per second.
#   tools/bench/alert_fanout.sh [BUILD_DIR] [SUBSCRIBERS] [RATE] [SECONDS] [BENCH FLAGS...]
# The broker listens on $WW_BENCH_KAFKA_PORT (default 39592) and the next port.
# WW_BENCH_ALERTER_CPUS / WW_BENCH_CLIENT_CPUS (taskset lists, e.g. 0 and 1) pin the alerter
# and the benchmark client, so they stop taking each other's core; WW_BENCH_ALERTER_FLAGS
# adds flags to ww-alerter (e.g. --fanout_round=0).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}; subs=${2:-1000}; rate=${3:-100}; secs=${4:-20}
dir=$(mktemp -d); port=${WW_BENCH_KAFKA_PORT:-39592}
pin() { if [ -n "$1" ]; then echo taskset -c "$1"; fi; }
trap '[ -n "${alerter:-}" ] && kill $alerter 2>/dev/null; "$root/tools/dev/kafka" stop "$dir/kafka"; rm -rf "$dir"' EXIT
"$root/tools/dev/kafka" start "$dir/kafka" $port
"$build/bin/wwctl" topics create --bootstrap-servers 127.0.0.1:$port --topic-prefix bench. >/dev/null
$(pin "${WW_BENCH_ALERTER_CPUS:-}") "$build/bin/ww-alerter" --bootstrap_servers=127.0.0.1:$port --topic_prefix=bench. \
  --grpc_listen=127.0.0.1:0 --metrics_listen= --instance_id=bench ${WW_BENCH_ALERTER_FLAGS:-} >"$dir/alerter.out" 2>"$dir/alerter.log" &
alerter=$!
for _ in $(seq 1 100); do grep -q "grpc port" "$dir/alerter.out" && break; sleep 0.2; done
grpc_port=$(sed -n 's/.*grpc port //p' "$dir/alerter.out")
echo "ww-alerter pid $alerter on 127.0.0.1:$grpc_port; $(nproc) cores" >&2
$(pin "${WW_BENCH_CLIENT_CPUS:-}") "$build/bin/ww_alert_fanout_bench" --bootstrap_servers=127.0.0.1:$port \
  --alerts_topic=bench.alerts --alerter=127.0.0.1:$grpc_port --alerter_pid=$alerter \
  --subscribers=$subs --rate=$rate --seconds=$secs "${@:5}"
