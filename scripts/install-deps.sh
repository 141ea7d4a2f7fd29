#!/usr/bin/env bash
# Installs what Cabine needs on a Debian 12 machine: the system packages (Kamailio and its modules,
# rtpengine, coturn for STUN/TURN, PostgreSQL, Chromium for the end-to-end tests, sipp and baresip as real
# SIP peers, espeak-ng for the balance announcement's prompts) and the npm
# dependencies. Idempotent: it only installs what is missing, so `./cabine start` can call it every time.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  kamailio kamailio-websocket-modules kamailio-tls-modules kamailio-utils-modules
  kamailio-sqlite-modules kamailio-postgres-modules kamailio-json-modules kamailio-autheph-modules kamailio-extra-modules
  rtpengine-daemon coturn sip-tester baresip sipvicious
  espeak-ng
  postgresql
  chromium fonts-dejavu-core
  openssl procps
  libnss3-tools
  # Not in a minimal Debian image: network namespaces and NAT routers (ip, iptables), systemd-analyze.
  iproute2 iptables systemd
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "Installing system packages: ${missing[*]}"
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "Run as root, or install: apt-get install ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm ci when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
