#!/usr/bin/env bash
# Create the virtualenv of $CKAN_VERSION and install the pinned requirements and this package
# (editable). Re-runs only when a requirements file changed. Idempotent.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

reqs=("$ROOT/requirements/ckan-$CKAN_VERSION.txt" "$ROOT/requirements/ckan-$CKAN_VERSION-dev.txt"
      "$ROOT/requirements.txt" "$ROOT/requirements/server.txt" "$ROOT/dev-requirements.txt")
constraints=$ROOT/requirements/constraints-$CKAN_VERSION.txt
for f in "${reqs[@]}"; do [ -f "$f" ] || die "missing $f (supported CKAN versions: $(ls "$ROOT"/requirements | sed -n 's/^ckan-\([0-9.]*\)\.txt$/\1/p' | xargs))"; done

compile_translations() { "$ROOT/scripts/i18n.sh" compile 2>/dev/null || die "compiling the translations failed"; }

stamp="$VENV/.satudata-installed"
[ -f "$constraints" ] || die "missing $constraints: run 'make lock'"
digest=$(cat "${reqs[@]}" "$constraints" "$ROOT/requirements/build.txt" "$ROOT/setup.py" | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then compile_translations; exit 0; fi

log "installing CKAN $CKAN_VERSION and the extension into $VENV"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check -r "$ROOT/requirements/build.txt"
"$VENV/bin/pip" install -q --disable-pip-version-check -c "$constraints" "${reqs[@]/#/-r}"
"$VENV/bin/pip" install -q --disable-pip-version-check --no-deps --no-build-isolation -e "$ROOT"
"$VENV/bin/pip" check >/dev/null || { "$VENV/bin/pip" check >&2; die "inconsistent Python dependencies"; }
compile_translations
echo "$digest" >"$stamp"
