#!/usr/bin/env bash
# Installs what clusterip needs and is missing: npm packages (Node 24 comes from the `node` package) and, as
# root, the Debian packages the data path, the agent and the tests use. Safe to run again: it only fills gaps.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(nftables iproute2 dnsutils conntrack nginx-light etcd-server etcd-client dnsperf knot busybox procps psmisc curl)

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Debian's nginx and etcd packages start system services; clusterip runs its own instances.
    for s in nginx etcd; do systemctl disable --now "$s" >/dev/null 2>&1 || service "$s" stop >/dev/null 2>&1 || true; done
  else
    echo "setup: missing Debian packages (${missing[*]}); run as root, or: sudo apt-get install ${missing[*]}" >&2
  fi
fi

# npm packages: install when node_modules is absent or older than the lock file.
if [ ! -x node_modules/.bin/node ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages (Node 24 comes with them)"
  # The machine's npm may be set to build native addons against another Node's headers; we use none.
  npm_config_nodedir= npm install --no-audit --no-fund --loglevel=error
fi
