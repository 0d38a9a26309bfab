"""Operations: what keeps the portal running for years without a person.

- :mod:`.health`: the load balancer's health check (PostgreSQL, Solr, Redis, a live worker);
- :mod:`.scheduler`: the one scheduler of a site (the sweeper every minute, the DCAT warm-up
  once a day), elected through a lock in Redis so that a second copy waits instead of
  doubling the work;
- :mod:`.backup`: one restorable set (database, DataStore, uploads, manifest) and its restore;
- :mod:`.logs`: structured (JSON line) logs for production.
"""
