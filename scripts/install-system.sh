#!/usr/bin/env bash
# Install the Debian packages the stack needs, only those that are missing. Idempotent.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for pkg in postgresql redis-server openjdk-17-jre-headless maven libpq-dev libmagic1 gcc curl git gettext; do
  have_pkg "$pkg" || need+=("$pkg")
done
# The browser tests (make test-e2e) drive Debian's Chromium; without fonts its screenshots show no text.
# The production stack (make production, make test-ops): nginx in front, supervisor where systemd
# does not run the host.
for pkg in nginx supervisor; do
  have_pkg "$pkg" || need+=("$pkg")
done
for pkg in chromium fonts-dejavu-core fonts-liberation; do
  have_pkg "$pkg" || need+=("$pkg")
done
# Debian's python3 needs python3-venv (and headers for psycopg2); a pyenv/python.org build has both.
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then need+=(python3-venv); fi
if ! python3 -c 'import sysconfig,os,sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"],"Python.h")))'; then
  need+=(python3-dev)
fi

if [ ${#need[@]} -gt 0 ]; then
  log "installing Debian packages: ${need[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >"$LOGS/apt.log" 2>&1 \
    || { tail -30 "$LOGS/apt.log" >&2; die "apt-get install failed (log: $LOGS/apt.log)"; }
fi
