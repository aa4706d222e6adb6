#!/usr/bin/env bash
# Runs the commands users install as a user would: relaytail -h, then the dev
# broker on its default port for a few seconds while the quickstart writes to
# it; fails unless the broker printed its KAFKA_BROKERS line and tailed the
# quickstart's request logs and events, and stopped cleanly on SIGINT.
set -euo pipefail
cd "$(dirname "$0")/.."

# Not piped into grep -q: with pipefail, grep's early exit kills relaytail
# with SIGPIPE mid-output and fails the check now and then.
help=$(go run ./cmd/relaytail -h 2>&1); grep -q 'usage: relaytail' <<<"$help"
echo "relaytail -h: ok"

mkdir -p bin
go build -o bin/relayer-dev ./cmd/relayer-dev
out=bin/relayer-dev.out
bin/relayer-dev -color never >"$out" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
	grep -q 'export KAFKA_BROKERS=' "$out" && break
	sleep 0.1
done
brokers=$(sed -n 's/^ *export KAFKA_BROKERS=//p' "$out")
if [ "$brokers" != "127.0.0.1:9092" ]; then
	echo "relayer-dev did not print its KAFKA_BROKERS line for 127.0.0.1:9092:"; cat "$out"; exit 1
fi
(cd examples && KAFKA_BROKERS="$brokers" go run ./quickstart >/dev/null)
# The tail finds the new topics within a few seconds.
for _ in $(seq 150); do
	grep -q '400 .* POST /orders' "$out" && grep -q 'event  order_created/web' "$out" && break
	sleep 0.1
done
kill -INT "$pid"
wait "$pid"
trap - EXIT
for want in 'event  order_created/web' '201 .* POST /orders' '400 .* POST /orders' 'relayer-dev: stopped'; do
	if ! grep -q "$want" "$out"; then
		echo "relayer-dev's output lacks \"$want\":"; cat "$out"; exit 1
	fi
done
echo "relayer-dev: ok ($(grep -c 'POST /orders' "$out") request logs tailed)"
