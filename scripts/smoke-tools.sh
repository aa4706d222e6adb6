#!/usr/bin/env bash
# Runs the commands users install as a user would: relaytail -h, then the dev
# broker for a few seconds while the quickstart writes to it; fails unless
# the broker printed its KAFKA_BROKERS line, served its web view, tailed the
# quickstart's request logs and events, and stopped cleanly on SIGINT.
#
# The broker listens on 127.0.0.1:KAFKA_PORT (default 9092) and the web view
# on 127.0.0.1:UI_PORT (default 9080): make tools KAFKA_PORT=19092 UI_PORT=19080
# next to a local Kafka. A port already taken stops the script at once,
# naming the variable that moves it.
set -euo pipefail
cd "$(dirname "$0")/.."

KAFKA_PORT=${KAFKA_PORT:-9092}
UI_PORT=${UI_PORT:-9080}
for var in KAFKA_PORT UI_PORT; do
	port=${!var}
	if ! [[ $port =~ ^[0-9]+$ ]] || ((10#$port < 1 || 10#$port > 65535)); then
		echo "make tools: $var=$port is not a port (1 to 65535)" >&2; exit 2
	fi
done
if [ "$KAFKA_PORT" = "$UI_PORT" ]; then
	echo "make tools: KAFKA_PORT and UI_PORT are both $KAFKA_PORT; give them different ports" >&2; exit 2
fi
for var in KAFKA_PORT UI_PORT; do
	port=${!var}
	# Something accepts connections there: relayer-dev could not listen.
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		echo "make tools: port $port on 127.0.0.1 is taken (by a local Kafka or web server?); choose another with $var, e.g. make tools $var=$((port < 55536 ? port + 10000 : port - 10000))" >&2
		exit 1
	fi
done
echo "make tools: broker on 127.0.0.1:$KAFKA_PORT (KAFKA_PORT), web view on 127.0.0.1:$UI_PORT (UI_PORT)"

# Not piped into grep -q: with pipefail, grep's early exit kills relaytail
# with SIGPIPE mid-output and fails the check now and then.
help=$(go run ./cmd/relaytail -h 2>&1); grep -q 'usage: relaytail' <<<"$help"
grep -q -- '-sasl-password-file' <<<"$help"
echo "relaytail -h: ok"

mkdir -p bin
go build -o bin/relayer-dev ./cmd/relayer-dev
out=bin/relayer-dev.out
bin/relayer-dev -color never -port "$KAFKA_PORT" -ui "127.0.0.1:$UI_PORT" >"$out" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
	grep -q 'web view of request logs: ' "$out" && break
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "make tools: relayer-dev stopped (KAFKA_PORT=$KAFKA_PORT, UI_PORT=$UI_PORT):"; cat "$out"; exit 1
	fi
	sleep 0.1
done
brokers=$(sed -n 's/^ *export KAFKA_BROKERS=//p' "$out")
if [ "$brokers" != "127.0.0.1:$KAFKA_PORT" ]; then
	echo "relayer-dev did not print its KAFKA_BROKERS line for 127.0.0.1:$KAFKA_PORT:"; cat "$out"; exit 1
fi
if ! grep -q "web view of request logs: http://127.0.0.1:$UI_PORT/" "$out"; then
	echo "relayer-dev did not serve its web view on 127.0.0.1:$UI_PORT:"; cat "$out"; exit 1
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
