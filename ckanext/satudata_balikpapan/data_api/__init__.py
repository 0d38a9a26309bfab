"""The Data API: verified tables in CKAN's DataStore, rows for researchers and apps.

A CSV or XLSX file that passes validation is loaded into the DataStore by the same background
job that validated it, from that one reading of the file (:mod:`.load`); a file that fails is
not loaded, and a replaced file replaces its table. Who may read the rows is who may read the
dataset: the public only once it is published (``datastore_search``, ``datastore_info`` and
the dump follow CKAN's own ``resource_show`` rule, which follows the workflow's labels);
``datastore_search_sql`` stays off.
"""
