"""DCAT-AP 3 with Satu Data semantics: the ``satudata_dcat_ap`` profile and the SKOS schemes."""
