# shellcheck shell=bash
# Shared settings for the repo's scripts. Every value can be overridden from the environment.
# Sourced, never run.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export ROOT
# The CKAN version the scripts work on (see README, "CKAN versions").
export CKAN_VERSION=${CKAN_VERSION:-2.12.0}
CKAN_VTAG=$(echo "$CKAN_VERSION" | tr '.' '_')
export CKAN_VTAG
export VENV=${VENV:-$ROOT/.venv/ckan-$CKAN_VERSION}
# Everything a run creates lives under .work/ (git-ignored): service data, logs, CKAN config, tokens.
export WORK=${SATUDATA_WORK:-$ROOT/.work}
export LOGS=$WORK/logs

# Ports (loopback only). PostgreSQL and Redis avoid the Debian defaults (5432/6379), which the
# distribution's own services take when they are installed and started by systemd.
export PG_PORT=${PG_PORT:-55432}
export REDIS_PORT=${REDIS_PORT:-56379}
export SOLR_PORT=${SOLR_PORT:-8983}
export CKAN_PORT=${CKAN_PORT:-5000}
export CKAN_HOST=${CKAN_HOST:-127.0.0.1}

export PG_USER=ckan_default
export PG_PASSWORD=${PG_PASSWORD:-pass}
# One main and one test database per CKAN version: a database migrated by one version is never
# opened by another.
export PG_DB=${PG_DB:-ckan_$CKAN_VTAG}
export PG_TEST_DB=${PG_TEST_DB:-ckan_test_$CKAN_VTAG}
# The DataStore (the rows of verified tables, README "Data API"): its own database next to each
# CKAN database, written by CKAN's role and read through a read-only role.
export PG_DS_USER=datastore_ro
export PG_DS_PASSWORD=${PG_DS_PASSWORD:-pass}
export PG_DS_DB=${PG_DS_DB:-datastore_$CKAN_VTAG}
export PG_DS_TEST_DB=${PG_DS_TEST_DB:-datastore_test_$CKAN_VTAG}

# The Solr core and Redis database the tests use (overridable, e.g. to run two suites side by side).
export SOLR_TEST_CORE=${SOLR_TEST_CORE:-ckan}
export REDIS_TEST_DB=${REDIS_TEST_DB:-1}
export SOLR_URL=http://127.0.0.1:$SOLR_PORT/solr/ckan

log() { printf '\033[1;34m[satudata]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[satudata] ERROR:\033[0m %s\n' "$*" >&2; exit 1; }

# Run a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root for: $* (install sudo or run as root)"; fi
}

# Is TCP port $1 on 127.0.0.1 accepting connections?
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

mkdir -p "$WORK" "$LOGS"

# The DataStore settings of a portal whose DataStore database is $1 (write_portal_config arguments).
datastore_write_url() { echo "postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$1"; }
datastore_read_url() { echo "postgresql://$PG_DS_USER:$PG_DS_PASSWORD@127.0.0.1:$PG_PORT/$1"; }

# Give the read-only role its rights on the DataStore database $2 of the portal configured by $1,
# with CKAN's own SQL (`ckan datastore set-permissions`), run as the database superuser.
datastore_permissions() {
  "$VENV/bin/ckan" -c "$1" datastore set-permissions 2>"$LOGS/datastore-permissions.log" \
    | "$ROOT/scripts/postgres.sh" sql "$2" \
    || { tail -20 "$LOGS/datastore-permissions.log" >&2; die "DataStore permissions failed on $2"; }
}

# Point test.ini at this CKAN version's test database and the services' ports (CKAN's
# environment overrides), and bring that database to the current migrations.
use_test_database() {
  export CKAN_SQLALCHEMY_URL=postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_TEST_DB
  export CKAN_SOLR_URL=http://127.0.0.1:$SOLR_PORT/solr/$SOLR_TEST_CORE
  export CKAN_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/$REDIS_TEST_DB
  CKAN_DATASTORE_WRITE_URL=$(datastore_write_url "$PG_DS_TEST_DB")
  CKAN_DATASTORE_READ_URL=$(datastore_read_url "$PG_DS_TEST_DB")
  export CKAN_DATASTORE_WRITE_URL CKAN_DATASTORE_READ_URL
  datastore_permissions "$ROOT/test.ini" "$PG_DS_TEST_DB"
  log "CKAN $CKAN_VERSION: initialising the test database $PG_TEST_DB"
  "$VENV/bin/ckan" -c "$ROOT/test.ini" db init >"$LOGS/test-db-init.log" 2>&1 \
    || { tail -30 "$LOGS/test-db-init.log" >&2; die "ckan db init failed on $PG_TEST_DB"; }
}

# Write the portal's CKAN settings into the config $1 (README, "CKAN settings the portal runs
# with"). `make demo` (demo.sh) and the browser tests (e2e.sh) both call this, so their portals
# cannot drift apart. The caller adds what differs, as "key = value" arguments: the database,
# Solr and Redis, the site URL and id, the storage path.
write_portal_config() {
  local ini=$1
  shift
  "$VENV/bin/ckan" config-tool "$ini" \
    "ckan.site_title = Satu Data Kota Balikpapan" \
    "ckan.site_description = Portal Satu Data Pemerintah Kota Balikpapan" \
    "ckan.uploads_enabled = true" \
    "ckan.plugins = satudata_balikpapan activity scheming_datasets scheming_organizations dcat dcat_json_interface structured_data datastore" \
    "scheming.dataset_schemas = ckanext.satudata_balikpapan.schemas:dataset.yaml" \
    "scheming.organization_schemas = ckanext.satudata_balikpapan.schemas:organization.yaml" \
    "scheming.presets = ckanext.scheming:presets.json ckanext.satudata_balikpapan.schemas:presets.yaml" \
    "scheming.dataset_fallback = false" \
    "ckanext.dcat.rdf.profiles = satudata_dcat_ap" \
    "ckanext.satudata.pembina_users = pembina-bps" \
    "ckan.locale_default = id" \
    "ckan.locale_order = id en" \
    "ckan.locales_offered = id en" \
    "ckan.auth.create_user_via_web = true" \
    "ckan.auth.user_create_organizations = false" \
    "ckan.auth.create_unowned_dataset = false" \
    "ckan.auth.create_dataset_if_not_in_organization = false" \
    "ckan.views.default_views = " \
    "ckan.max_resource_size = 100" \
    "$@" >/dev/null
  "$VENV/bin/ckan" config-tool "$ini" -s logger_ckanext "level = INFO" >/dev/null
}
