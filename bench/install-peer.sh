#!/usr/bin/env bash
# Installs the comparison peer for bench/render.ts: chartjs-node-canvas on node-canvas (cairo).
# It lives in bench/.peer (git-ignored) so the project's own node_modules stay untouched.
# node-canvas usually has no prebuilt binary reachable here, so it is built from source: that
# needs the cairo/pango dev headers, which are installed only when missing.
set -euo pipefail
cd "$(dirname "$0")"

need=()
for pkg in libcairo2-dev libpango1.0-dev libjpeg-dev libgif-dev librsvg2-dev build-essential; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if ((${#need[@]})); then
	echo "install-peer: apt-get install ${need[*]}"
	SUDO=''
	[ "$(id -u)" = 0 ] || SUDO='sudo'
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi

mkdir -p .peer
[ -f .peer/package.json ] || echo '{ "name": "nexus-bench-peer", "private": true, "type": "module" }' > .peer/package.json
npm install --prefix .peer --no-audit --no-fund chartjs-node-canvas canvas chart.js@4
node -e "require('./.peer/node_modules/canvas'); console.log('install-peer: node-canvas loads')"
