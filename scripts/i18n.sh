#!/usr/bin/env bash
# Translations of the extension: extract the message template, update the catalogues, compile.
# usage: i18n.sh extract|update|compile|stats
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
DIR=ckanext/satudata_balikpapan/i18n
DOMAIN=ckanext-satudata_balikpapan
pybabel() { "$VENV/bin/pybabel" "$@"; }
case "${1:-compile}" in
extract) pybabel extract -F babel.cfg -k _ --no-wrap --omit-header -o "$DIR/$DOMAIN.pot" . ;;
update) pybabel update -i "$DIR/$DOMAIN.pot" -d "$DIR" -D "$DOMAIN" --no-wrap ;;
compile) pybabel compile -d "$DIR" -D "$DOMAIN" --statistics 2>&1 | sed 's/^/[i18n] /' >&2 ;;
stats) for po in "$DIR"/*/LC_MESSAGES/*.po; do printf '%s: ' "$po"; msgfmt --statistics -o /dev/null "$po" 2>&1; done ;;
*) die "usage: $0 extract|update|compile|stats" ;;
esac
