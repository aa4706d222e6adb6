#!/usr/bin/env bash
# Installs PostgreSQL (Debian's postgresql package: initdb, pg_ctl, the
# server) for the outbox's tests and benchmark, which start a server of
# their own (as the postgres user, data and socket in a temporary
# directory, their own port on 127.0.0.1) and stop it. Nothing is started
# here: Debian's own cluster service is not used. Exits non-zero when
# PostgreSQL is missing and cannot be installed.
set -euo pipefail
have_postgres() {
	command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1 && return 0
	compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null
}
if have_postgres; then
	exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "ensure-postgres: PostgreSQL is missing and this is not a root Debian machine: install postgresql by hand" >&2
	exit 1
fi
echo "ensure-postgres: installing postgresql with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# policy-rc.d keeps the package from starting Debian's default cluster.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
apt-get install -y -qq postgresql >/dev/null
have_postgres
