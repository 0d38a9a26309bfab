"""Which service an error is the failure of (``lib/outage.py``): the 503's message names it."""

from __future__ import annotations

import pysolr
import pytest
import sqlalchemy.exc
from ckan.lib.search.common import SearchIndexError, SolrConnectionError
from redis.exceptions import ConnectionError as RedisConnectionError

from ckanext.satudata_balikpapan.lib import outage


def _wrapped(inner: BaseException) -> BaseException:
    try:
        try:
            raise inner
        except BaseException as error:
            raise RuntimeError("while publishing") from error
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize(
    ("error", "service"),
    [
        (SearchIndexError("Solr returned an error"), "search"),
        (SolrConnectionError("down"), "search"),
        (pysolr.SolrError("Failed to connect"), "search"),
        (sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("connection refused")), "database"),
        (RedisConnectionError("Error 111 connecting"), "queue"),
        (outage.ServiceUnavailable("search"), "search"),
        (_wrapped(RedisConnectionError("gone")), "queue"),  # the cause counts, however deep
        (ValueError("a bug"), None),
        (_wrapped(KeyError("a bug")), None),
    ],
)
def test_an_error_names_the_service_that_failed(error, service):
    assert outage.failed_service(error) == service
