#!/usr/bin/env bash
# Runs a command inside a private user + network namespace with a veth pair and a default route,
# so that WebRTC gathers host candidates on a private address and nothing can leave the machine.
# Where unshare is missing or not permitted (e.g. macOS), runs the command directly.
set -euo pipefail
if [ "${TABSWARM_NETNS:-}" = "1" ] || ! command -v unshare >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1 \
  || ! unshare -rn true 2>/dev/null; then
  exec "$@"
fi
export TABSWARM_NETNS=1
exec unshare -rn bash -c '
  set -e
  ip link set lo up
  ip link add v0 type veth peer name v1
  ip addr add 10.213.0.1/24 dev v0
  ip addr add 10.213.0.2/24 dev v1
  ip link set v0 up
  ip link set v1 up
  ip route add default via 10.213.0.2 dev v0
  exec "$@"' bash "$@"
