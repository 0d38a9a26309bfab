"""DCAT-AP 3 with Satu Data semantics: the ``satudata_dcat_ap`` profile (:mod:`.profile`), the
SKOS schemes (:mod:`.vocab`), catalogue pages joined from per-dataset fragments
(:mod:`.fragments`) and the page cache (:mod:`.cache`).

Every catalogue endpoint lists published datasets only, for every caller: harvesters copy
what the walidata verified, never a draft or a withdrawn dataset.
"""

# The Solr filter of the published catalogue (``satudata_terbit`` is indexed from the workflow).
PUBLISHED_FQ = "+satudata_terbit:true"
