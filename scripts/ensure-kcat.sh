#!/usr/bin/env bash
# Installs kcat (Debian's package, librdkafka), the independent Kafka client
# the interoperability tests read our topics with. Exits non-zero when it is
# missing and cannot be installed.
set -euo pipefail
if command -v kcat >/dev/null 2>&1; then
	exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "ensure-kcat: kcat is missing and this is not a root Debian machine: install kcat by hand" >&2
	exit 1
fi
echo "ensure-kcat: installing kcat with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq kcat >/dev/null
command -v kcat >/dev/null
