"""The WSGI application of a production web node (gunicorn, uWSGI): ``ops.wsgi:application``.

The configuration file comes from ``CKAN_INI`` (``/etc/satudata/ckan.ini`` by default), its
logging sections are applied first (so CKAN's own start-up is logged as configured: JSON lines
in production), then CKAN builds its app exactly as ``ckan run`` does, without the development
server and its debugger. Each worker process imports this module once.
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

CONFIG_PATH = os.environ.get("CKAN_INI", "/etc/satudata/ckan.ini")

fileConfig(CONFIG_PATH, disable_existing_loggers=False)
application = make_app(CKANConfigLoader(CONFIG_PATH).get_config())
