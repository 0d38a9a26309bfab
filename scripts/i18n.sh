#!/usr/bin/env bash
# Translations: the extension's own catalogue, and the catalogue of CKAN core, ckanext-scheming and
# ckanext-dcat messages that ckan.i18n_directory points to (README, "Translations").
# usage: i18n.sh extract|update|compile|stats|merge-core DIR [--overwrite]|upstream|diff-official|check
#   extract, update   the extension's template and catalogues (pybabel)
#   compile           compile the extension's catalogues and build i18n_overrides/i18n/
#   stats             msgfmt --statistics of every shipped catalogue
#   merge-core DIR [--overwrite]  merge the translations of DIR/*.po into i18n_overrides/<locale>/ckan.po
#                     (--overwrite: replace translations it has already), compile
#   upstream          after upgrading CKAN, scheming or dcat: refresh the message ids of the sources
#   diff-official     where our CKAN core translations depart from CKAN's official ones
#   check             placeholders and HTML tags of every source translation
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
DIR=ckanext/satudata_balikpapan/i18n
DOMAIN=ckanext-satudata_balikpapan
OVERRIDES=ckanext/satudata_balikpapan/i18n_overrides
LOCALE=${I18N_LOCALE:-id}
# The older CKAN still supported, whose messages that the newer one dropped ckan-2.11.po keeps.
OLD_CKAN_VERSION=${OLD_CKAN_VERSION:-2.11.6}
pybabel() { "$VENV/bin/pybabel" "$@"; }
translations() { "$VENV/bin/python" ckanext/satudata_balikpapan/translations.py "$@"; }
site() { "$1/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'; }

# pybabel extract of an installed ckanext package ($2, e.g. scheming) into the template $3.
extract_upstream() {
  local sp=$1 pkg=$2 out=$3 map
  map=$(mktemp)
  printf '[python: **.py]\n[ckan: **/templates/**.html]\n[javascript: **/assets/**.js]\n' >"$map"
  (cd "$sp" && "$VENV/bin/pybabel" -q extract -F "$map" -k _ -k N_ -k ungettext:1,2 --no-wrap \
    --ignore-dirs='tests 2.8_templates' -o "$out" "ckanext/$pkg")
  rm -f "$map"
}

case "${1:-compile}" in
extract) pybabel extract -F babel.cfg -k _ --no-wrap --omit-header -o "$DIR/$DOMAIN.pot" . ;;
update) pybabel update -i "$DIR/$DOMAIN.pot" -d "$DIR" -D "$DOMAIN" --no-wrap ;;
compile)
  pybabel compile -d "$DIR" -D "$DOMAIN" --statistics 2>&1 | sed 's/^/[i18n] /' >&2
  translations build | sed 's/^/[i18n] built /' >&2 ;;
stats)
  for po in "$DIR"/*/LC_MESSAGES/*.po "$OVERRIDES"/*/*.po "$OVERRIDES"/i18n/*/LC_MESSAGES/ckan.po; do
    [ -f "$po" ] || continue
    printf '%s: ' "$po"; msgfmt --statistics -o /dev/null "$po" 2>&1
  done ;;
merge-core)
  [ -n "${2:-}" ] && [ -d "$2" ] && [[ "${3:-}" =~ ^(--overwrite)?$ ]] \
    || die "usage: $0 merge-core DIR [--overwrite] (a folder of translated .po chunks)"
  chunks=("$2"/*.po)
  [ -f "${chunks[0]}" ] || die "no .po files in $2"
  status=0
  translations merge ${3:+"$3"} "$OVERRIDES/$LOCALE/ckan.po" "${chunks[@]}" || status=$?
  "$0" compile
  printf '%s: ' "$OVERRIDES/$LOCALE/ckan.po"; msgfmt -c --statistics -o /dev/null "$OVERRIDES/$LOCALE/ckan.po"
  [ "$status" = 0 ] || die "some translations were rejected (listed above): fix them in the chunks and merge again"
  ;;
upstream)
  sp=$(site "$VENV"); tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  log "CKAN $CKAN_VERSION: refreshing the message ids of $OVERRIDES/$LOCALE/*.po"
  translations update "$OVERRIDES/$LOCALE/ckan.po" "$sp/ckan/i18n/ckan.pot" \
    --official "$sp/ckan/i18n/$LOCALE/LC_MESSAGES/ckan.po"
  extract_upstream "$sp" scheming "$tmp/scheming.pot"
  translations update "$OVERRIDES/$LOCALE/ckanext-scheming.po" "$tmp/scheming.pot" --exclude "$sp/ckan/i18n/ckan.pot"
  extract_upstream "$sp" dcat "$tmp/dcat.pot"
  translations update "$OVERRIDES/$LOCALE/ckanext-dcat.po" "$tmp/dcat.pot" "$sp/ckanext/dcat/i18n/ckanext-dcat.pot" \
    --exclude "$sp/ckan/i18n/ckan.pot"
  old_venv=$ROOT/.venv/ckan-$OLD_CKAN_VERSION
  if [ -f "$OVERRIDES/$LOCALE/ckan-2.11.po" ] && [ -x "$old_venv/bin/python" ]; then
    old_sp=$(site "$old_venv")
    translations update "$OVERRIDES/$LOCALE/ckan-2.11.po" "$old_sp/ckan/i18n/ckan.pot" \
      --official "$old_sp/ckan/i18n/$LOCALE/LC_MESSAGES/ckan.po" --exclude "$sp/ckan/i18n/ckan.pot"
  fi
  log "now translate the empty msgstr (scripts/i18n.sh stats), then scripts/i18n.sh compile" ;;
diff-official) translations diff "$OVERRIDES/$LOCALE/ckan.po" "$(site "$VENV")/ckan/i18n/$LOCALE/LC_MESSAGES/ckan.po" ;;
check) translations check ;;
*) die "usage: $0 extract|update|compile|stats|merge-core DIR [--overwrite]|upstream|diff-official|check" ;;
esac
