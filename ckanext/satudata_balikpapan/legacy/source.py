"""Where the datasets of the former portal are read from: a ckanapi dump, or its action API.

* :class:`DumpSource`: a file of JSON lines, one ``package_show`` dict a line (what
  ``ckanapi dump datasets`` writes), optionally gzip-compressed. Lines are read one at a time
  and bounded (``MAX_LINE_BYTES``, decompressed), so a huge or hostile file costs no more memory
  than its largest dataset. A line that is not a dataset is reported with its number, and the
  others still come across.
* :class:`ApiSource`: a live CKAN 2.9-2.11 (or later) action API. ``package_search`` with
  drafts, private and deleted datasets (with a sysadmin's API key), in pages, ordered by id so
  that a resumed run sees the same order; the organisations from ``organization_list``.

Both fetch the files of uploaded resources from the old portal, which the admin named and is
therefore trusted, also on a loopback or private address (``lib/resource_files``: bounded in
time and size; the API key is sent to that host only). The source is never written to.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from ckanext.satudata_balikpapan.lib import resource_files

MAX_LINE_BYTES = 64 * 1024**2  # one dataset dict of the dump, decompressed
MAX_API_BYTES = 256 * 1024**2  # one answer of the old portal's API
PAGE = 100  # datasets per package_search page
DATASTORE_PAGE = 5000  # rows per datastore_search page
API_TIMEOUT = 120.0


class SourceError(Exception):
    """The source cannot be read at all (a missing file, an API that does not answer)."""


@dataclass
class Entry:
    """One dataset of the source, or the reason a line of it could not be read."""

    dataset: dict[str, Any] | None
    where: str  # "line 12" or the dataset's name
    problem: str | None = None


@dataclass
class Source:
    """What the migration reads; :class:`DumpSource` and :class:`ApiSource` fill it in."""

    label: str
    api_key: str | None = None
    trusted: set[str] = field(default_factory=set)

    def entries(self) -> Iterator[Entry]:  # pragma: no cover - abstract
        raise NotImplementedError

    def organizations(self) -> dict[str, dict[str, Any]]:
        """The old organisations by name (the dump has only those its datasets embed)."""
        return {}

    def count(self) -> int | None:
        """How many datasets the source holds, for the progress bar (None: unknown)."""
        return None

    def fetch(self, url: str, max_bytes: int) -> Path:
        """Download a file of the old portal into a temporary file (the caller removes it).
        Raises :class:`~..lib.resource_files.ResourceUnavailable`."""
        headers = {"Authorization": self.api_key} if self.api_key else {}
        return resource_files.download(
            url, max_bytes=max_bytes, timeout=API_TIMEOUT, trusted=frozenset(self.trusted), headers=headers
        )

    def datastore(self, resource_id: str) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]], int]]:
        """The DataStore table of a resource, page by page: ``(fields, records, total)``.
        Only an API source has one."""
        return iter(())


class DumpSource(Source):
    """A ckanapi ``dump datasets`` file (JSON lines, optionally ``.gz``)."""

    def __init__(self, path: Path, api_key: str | None = None) -> None:
        if not path.is_file():
            raise SourceError(f"{path}: no such file")
        super().__init__(label=str(path), api_key=api_key)
        self.path = path

    def _open(self) -> io.BufferedIOBase:
        raw = self.path.open("rb")
        if raw.read(2) == b"\x1f\x8b":
            raw.seek(0)
            return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
        raw.seek(0)
        return raw  # type: ignore[return-value]

    def count(self) -> int | None:
        with self._open() as stream:
            return sum(1 for line in iter(lambda: stream.readline(MAX_LINE_BYTES), b"") if line.strip())

    def entries(self) -> Iterator[Entry]:
        with self._open() as stream:
            number = 0
            while True:
                line = stream.readline(MAX_LINE_BYTES + 1)
                if not line:
                    return
                number += 1
                where = f"line {number}"
                if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                    while line and not line.endswith(b"\n"):  # skip the rest of the line
                        line = stream.readline(MAX_LINE_BYTES)
                    yield Entry(None, where, f"longer than {MAX_LINE_BYTES // 1024**2} MB")
                    continue
                if not line.strip():
                    continue
                try:
                    dataset = json.loads(line)
                except (ValueError, UnicodeDecodeError) as error:
                    yield Entry(None, where, f"not JSON: {error}")
                    continue
                problem = shape_problem(dataset)
                if problem:
                    yield Entry(None, where, problem)
                    continue
                for resource in dataset.get("resources") or []:
                    if isinstance(resource, dict) and resource.get("url_type") == "upload":
                        host = (urlsplit(str(resource.get("url") or "")).hostname or "").lower()
                        if host:
                            self.trusted.add(host)  # the dump's own portal holds its uploads
                yield Entry(dataset, str(dataset["name"]))


class ApiSource(Source):
    """A live CKAN action API (``URL/api/3/action/...``)."""

    def __init__(self, url: str, api_key: str | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SourceError(f"{url}: not an http(s) URL of a CKAN portal")
        super().__init__(label=url.rstrip("/"), api_key=api_key, trusted={parts.hostname.lower()})
        self.base = url.rstrip("/")

    def call(self, action: str, **params: Any) -> Any:
        """One GET of the old portal's action API; raises :class:`SourceError`."""
        query = urlencode(
            {k: json.dumps(v) if isinstance(v, (dict, list, bool)) else v for k, v in params.items()}
        )
        url = f"{self.base}/api/3/action/{action}" + (f"?{query}" if query else "")
        try:
            path = self.fetch(url, MAX_API_BYTES)
        except resource_files.ResourceUnavailable as error:
            raise SourceError(f"{action}: {error.reason}: {error.detail}") from error
        try:
            answer = json.loads(path.read_bytes())
        except ValueError as error:
            raise SourceError(f"{action}: the answer is not JSON") from error
        finally:
            path.unlink(missing_ok=True)
        if not isinstance(answer, dict) or not answer.get("success"):
            raise SourceError(f"{action}: {answer.get('error') if isinstance(answer, dict) else answer}")
        return answer["result"]

    def entries(self) -> Iterator[Entry]:
        start = 0
        while True:
            page = self.call(
                "package_search", q="*:*", rows=PAGE, start=start, sort="id asc",
                include_private="true", include_drafts="true", include_deleted="true",
            )  # fmt: skip
            results = page.get("results") or []
            for dataset in results:
                problem = shape_problem(dataset)
                yield Entry(None if problem else dataset, str(dataset.get("name") or start), problem)
            start += len(results)
            if not results or start >= int(page.get("count") or 0):
                return

    def count(self) -> int | None:
        page = self.call("package_search", q="*:*", rows=0, include_private="true",
                         include_drafts="true", include_deleted="true")  # fmt: skip
        return int(page.get("count") or 0)

    def organizations(self) -> dict[str, dict[str, Any]]:
        orgs = self.call("organization_list", all_fields="true", limit=1000)
        return {o["name"]: o for o in orgs if isinstance(o, dict) and o.get("name")}

    def datastore(self, resource_id: str) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]], int]]:
        offset = 0
        while True:
            page = self.call("datastore_search", resource_id=resource_id, limit=DATASTORE_PAGE, offset=offset)
            records = page.get("records") or []
            fields = [f for f in page.get("fields") or [] if f.get("id") != "_id"]
            yield (
                fields,
                [{k: v for k, v in r.items() if k != "_id"} for r in records],
                int(page.get("total") or 0),
            )
            offset += len(records)
            if not records or offset >= int(page.get("total") or 0):
                return


def shape_problem(dataset: Any) -> str | None:
    """Why ``dataset`` is not a package dict the migration can read, or None."""
    if not isinstance(dataset, dict):
        return "not a dataset (a JSON object)"
    for key in ("id", "name"):
        value = dataset.get(key)
        if not isinstance(value, str) or not value.strip() or "\x00" in value or len(value) > 100:
            return f'no usable "{key}"'
    if not isinstance(dataset.get("resources") or [], list):
        return '"resources" is not a list'
    return None
