-- The production role set-up of the Satu Data portal's database (README, "Deployment").
--
-- Two roles: the OWNER owns every table and runs the migrations (`ckan db upgrade`,
-- `ckan db pending-migrations --apply`, with a ckan.ini whose sqlalchemy.url names it); the APP
-- is what the running portal, its workers and its sweeper connect as. The app reads and writes
-- CKAN's tables, but on the append-only record (the verification history, the quality
-- acknowledgements, the data request history) it may only SELECT and INSERT: no UPDATE, no
-- DELETE, no TRUNCATE, and, not owning the tables, it cannot disable their triggers either.
-- What gets past even that (a superuser, a restored dump) the hash chain shows:
-- `ckan satudata history verify`.
--
-- Run as a superuser, after the migrations, on the portal's database:
--   psql -d ckan_default -v app=ckan_app -v app_password='...' -f deploy/postgres/roles.sql
-- Re-run it after every upgrade that adds tables (it is idempotent).

\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'app', :'app_password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app') \gexec

SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), :'app') \gexec
SELECT format('GRANT USAGE ON SCHEMA public TO %I', :'app') \gexec
SELECT format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', :'app') \gexec
SELECT format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO %I', :'app') \gexec
SELECT format('REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM %I', :'app') \gexec

-- the append-only record: read and append, nothing else
SELECT format('REVOKE UPDATE, DELETE ON %I FROM %I', t, :'app')
FROM unnest(ARRAY['satudata_workflow_event', 'satudata_quality_ack', 'satudata_data_request_event']) AS t
WHERE to_regclass(t) IS NOT NULL \gexec

-- tables the owner (the database's owner) creates later, in a migration, are granted the same
-- way; re-run this file after such an upgrade for the append-only ones
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I',
              pg_get_userbyid(datdba), :'app')
FROM pg_database WHERE datname = current_database() \gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO %I',
              pg_get_userbyid(datdba), :'app')
FROM pg_database WHERE datname = current_database() \gexec
