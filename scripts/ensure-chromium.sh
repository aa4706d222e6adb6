#!/usr/bin/env bash
# Installs Chromium (Debian's package), the headless browser the web view's
# browser test drives. Prints the browser's path. Exits non-zero when no
# Chromium is found and it cannot be installed; the test is then skipped.
set -euo pipefail
find_chromium() {
	for c in chromium chromium-browser google-chrome-stable google-chrome; do
		if command -v "$c" >/dev/null 2>&1; then
			command -v "$c"
			return 0
		fi
	done
	return 1
}
if find_chromium; then
	exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "ensure-chromium: chromium is missing and this is not a root Debian machine: install chromium by hand" >&2
	exit 1
fi
echo "ensure-chromium: installing chromium with apt-get (a one-off, about a minute)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
find_chromium
