"""ckanext-scheming schemas of the Satu Data Balikpapan portal.

This folder sits at the top of the repository and is installed as the package
``ckanext.satudata_balikpapan.schemas`` (see ``package_dir`` in setup.py), so scheming
finds its files as ``ckanext.satudata_balikpapan.schemas:<file>``.
"""
