"""A resource's file as a local file, for reading it server-side (previews, charts, checks).

:func:`open_resource` is a context manager that yields a local :class:`~pathlib.Path`, or
``None`` when the file cannot be had, and cleans up any temporary copy afterwards::

    with resource_files.open_resource(resource, max_bytes=10 * 1024**2) as path:
        if path is not None:
            ...

Where the file comes from:

* **Uploaded** resources (``url_type == "upload"``), through CKAN's own resource uploader, so
  that an ``IUploader`` plugin keeps working:

  - CKAN 2.12 stores uploads through its files layer (``ckan.lib.files``, file-keeper
    storages: ``ckan.files.default_storages.resource``, on disk, in memory or in the cloud).
    The uploader's ``storage`` streams the file, which is copied into a temporary file.
  - CKAN 2.11 (and a 2.12 site without files storages) keeps uploads under
    ``ckan.storage_path``: ``ResourceUpload.get_path`` is already a local path, used as it is.

* **Linked** resources (a URL), downloaded into a temporary file, safely against server-side
  request forgery:

  - only ``http`` and ``https``, never ``file:`` or other schemes;
  - the host name is resolved once and **every** address must be public (not loopback,
    private, link-local, multicast or reserved), unless the host is listed in
    ``ckanext.satudata.fetch_allowed_hosts`` (an OPD's intranet server, say);
  - the connection goes to the address that was checked (no second DNS lookup that could be
    rebound), with the original host name for the ``Host`` header and for TLS;
  - redirects (at most 5) are followed by hand, each target checked the same way;
  - a time limit (``ckanext.satudata.fetch_timeout``) and a size limit (``max_bytes``).

A file larger than ``max_bytes`` is refused (``None``), or with ``truncate=True`` cut at
``max_bytes`` (enough for the first rows of a CSV). :func:`fetch_resource` does the same but
raises :class:`ResourceUnavailable`, whose ``reason`` says why.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import urllib3
import urllib3.connection
from ckan.lib import uploader as ckan_uploader

from ckanext.satudata_balikpapan import config

try:  # CKAN 2.12's files layer; CKAN 2.11 stores uploads in its own uploader only
    import file_keeper
except ImportError:  # pragma: no cover - CKAN 2.11
    file_keeper = None

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
CHUNK = 64 * 1024
USER_AGENT = "ckanext-satudata_balikpapan (Satu Data portal preview)"

# reasons of ResourceUnavailable
NO_FILE, TOO_LARGE, BLOCKED, UNSUPPORTED, FAILED = "no_file", "too_large", "blocked", "unsupported", "failed"


class ResourceUnavailable(Exception):
    """The resource's file cannot be had; ``reason`` is one of ``no_file``, ``too_large``,
    ``blocked`` (an address the portal may not fetch), ``unsupported`` (not http or https)
    and ``failed`` (a network or storage error)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@contextlib.contextmanager
def open_resource(
    resource: dict[str, Any], *, max_bytes: int, truncate: bool = False, timeout: float | None = None
) -> Iterator[Path | None]:
    """Yield a local path to the resource's file, or ``None`` when it is unavailable (too large,
    missing, refused or failing: the reason is logged). A temporary copy is removed on exit.

    :param resource: a resource dict (``id``, ``url``, ``url_type``).
    :param max_bytes: the largest file accepted.
    :param truncate: cut a larger file at ``max_bytes`` instead of refusing it.
    :param timeout: seconds for a linked file (default ``ckanext.satudata.fetch_timeout``).
    """
    try:
        path, temporary = fetch_resource(resource, max_bytes=max_bytes, truncate=truncate, timeout=timeout)
    except ResourceUnavailable as error:
        log.info("resource %s unavailable: %s", resource.get("id"), error)
        yield None
        return
    try:
        yield path
    finally:
        if temporary:
            with contextlib.suppress(OSError):
                path.unlink()


def fetch_resource(
    resource: dict[str, Any], *, max_bytes: int, truncate: bool = False, timeout: float | None = None
) -> tuple[Path, bool]:
    """The resource's file as ``(path, temporary)``; the caller removes a temporary file.
    Raises :class:`ResourceUnavailable`."""
    if resource.get("url_type") == "upload":
        return _uploaded(resource, max_bytes, truncate)
    url = (resource.get("url") or "").strip()
    if not url:
        raise ResourceUnavailable(NO_FILE, "no URL")
    return download(url, max_bytes=max_bytes, truncate=truncate, timeout=timeout), True


# --- uploads ---------------------------------------------------------------------------------


def _uploaded(resource: dict[str, Any], max_bytes: int, truncate: bool) -> tuple[Path, bool]:

    if not resource.get("id"):
        raise ResourceUnavailable(NO_FILE, "resource without id")
    try:
        upload = ckan_uploader.get_resource_uploader(dict(resource))
        storage = getattr(upload, "storage", None)
        if storage is not None and _is_files_storage(storage):
            return _from_storage(storage, upload.get_path(resource["id"]), max_bytes, truncate), True
        if not getattr(upload, "storage_path", None):
            raise ResourceUnavailable(NO_FILE, "uploads are not configured")
        path = Path(upload.get_path(resource["id"]))
    except ResourceUnavailable:
        raise
    except Exception as error:  # any storage failure means "no file here"
        raise ResourceUnavailable(FAILED, f"{type(error).__name__}: {error}") from error
    if not path.is_file():
        raise ResourceUnavailable(NO_FILE, "the uploaded file is missing")
    if path.stat().st_size <= max_bytes:
        return path, False
    if not truncate:
        raise ResourceUnavailable(TOO_LARGE, f"{path.stat().st_size} bytes")
    with path.open("rb") as source:
        return _to_temp(iter(lambda: source.read(CHUNK), b""), max_bytes, truncate), True


def remove_upload(resource_id: str) -> bool:
    """Delete the stored file of an uploaded resource, wherever the site keeps uploads (a
    purged dataset, or a creation rolled back after its file was written). True when a file
    was removed; a storage failure is logged, never raised."""
    try:
        upload = ckan_uploader.get_resource_uploader({"id": resource_id, "url_type": ""})
        storage = getattr(upload, "storage", None)
        if storage is not None and _is_files_storage(storage):
            data = file_keeper.FileData(upload.get_path(resource_id))
            return bool(storage.exists(data) and storage.remove(data))
        if not getattr(upload, "storage_path", None):
            return False
        path = Path(upload.get_path(resource_id))
        if path.is_file():
            path.unlink()
            return True
    except Exception:
        log.warning("Satu Data: could not remove the stored file of resource %s", resource_id, exc_info=True)
    return False


def _is_files_storage(storage: Any) -> bool:
    """Whether ``storage`` is a storage of CKAN 2.12's files layer (file-keeper)."""
    return file_keeper is not None and isinstance(storage, file_keeper.Storage)


def _from_storage(storage: Any, location: Any, max_bytes: int, truncate: bool) -> Path:
    try:
        size = storage.size(location)
    except file_keeper.exc.MissingFileError as error:
        raise ResourceUnavailable(NO_FILE, "the uploaded file is missing") from error
    if size > max_bytes and not truncate:
        raise ResourceUnavailable(TOO_LARGE, f"{size} bytes")
    data = file_keeper.FileData(location, size=size)
    return _to_temp(storage.stream(data), max_bytes, truncate)


def _to_temp(chunks: Iterable[bytes], max_bytes: int, truncate: bool, deadline: float | None = None) -> Path:
    """Write ``chunks`` to a temporary file, at most ``max_bytes`` of them."""
    handle, name = tempfile.mkstemp(prefix="satudata-", suffix=".part")
    written = 0
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in chunks:
                if deadline is not None and time.monotonic() > deadline:
                    raise ResourceUnavailable(FAILED, "timed out")
                if written + len(chunk) > max_bytes:
                    if not truncate:
                        raise ResourceUnavailable(TOO_LARGE, f"more than {max_bytes} bytes")
                    out.write(chunk[: max_bytes - written])
                    written = max_bytes
                    break
                out.write(chunk)
                written += len(chunk)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            with contextlib.suppress(Exception):
                close()
    return Path(name)


# --- linked files (SSRF-safe download) ---------------------------------------------------------


def allowed_hosts() -> set[str]:
    """Hosts that may be fetched although they resolve to non-public addresses
    (``ckanext.satudata.fetch_allowed_hosts``)."""
    return config.fetch_allowed_hosts()


def is_public_address(address: str) -> bool:
    """Whether an IP address is on the public internet: not loopback, private, link-local,
    shared (CGNAT), multicast, reserved or unspecified; IPv4-mapped IPv6 is judged as IPv4."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to (TCP)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise ResourceUnavailable(FAILED, f"cannot resolve {host}: {error}") from error
    return list(dict.fromkeys(info[4][0] for info in infos))


def check_url(url: str, trusted: frozenset[str] = frozenset()) -> tuple[str, str, int, str]:
    """Check that ``url`` may be fetched; return ``(scheme, host, port, address)``: the checked
    address to connect to. Raises ResourceUnavailable (``unsupported`` or ``blocked``).
    ``trusted`` hosts (the one an admin named, e.g. the old portal of a migration) may resolve
    to any address."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ResourceUnavailable(UNSUPPORTED, f"scheme {scheme or '(none)'}")
    host = (parts.hostname or "").lower()
    if not host:
        raise ResourceUnavailable(UNSUPPORTED, "no host")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as error:
        raise ResourceUnavailable(UNSUPPORTED, "bad port") from error
    addresses = resolve(host, port)
    if not addresses:
        raise ResourceUnavailable(FAILED, f"{host} has no address")
    if host not in allowed_hosts() and host not in trusted:
        blocked = [a for a in addresses if not is_public_address(a)]
        if blocked:
            raise ResourceUnavailable(BLOCKED, f"{host} resolves to non-public {', '.join(blocked)}")
    return scheme, host, port, addresses[0]


class _Watchdog:
    """Shuts the sockets of one download at its deadline.

    A socket timeout bounds each read, not the transfer: a server that sends one byte a
    second (headers or body) never lets a read time out, and would hold the fetch, and a web
    process, for as long as it likes. At the deadline, the watchdog shuts the connection's
    socket down, from a timer thread; the blocked read returns at once and the download fails
    as ``timed out``."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def watch(self, sock: socket.socket) -> None:
        self._sockets.append(sock)

    def _expire(self) -> None:
        self.expired = True
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


class _Watched:
    """A urllib3 connection whose socket is handed to a :class:`_Watchdog` once connected
    (mixed into urllib3's connection classes, its supported ``ConnectionCls`` extension)."""

    sock: socket.socket

    def __init__(self, *args: Any, watchdog: _Watchdog, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.watchdog = watchdog

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self.watchdog.watch(self.sock)


class _WatchedHTTPConnection(_Watched, urllib3.connection.HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, urllib3.connection.HTTPSConnection):
    pass


class _WatchedPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedTLSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


def download(
    url: str, *, max_bytes: int, truncate: bool = False, timeout: float | None = None,
    trusted: frozenset[str] = frozenset(), headers: dict[str, str] | None = None,
) -> Path:  # fmt: skip
    """Download ``url`` into a temporary file (the caller removes it), SSRF-safely (see the
    module's documentation), within ``timeout`` seconds in total (``fetch_timeout``), however
    slowly the server sends. Raises :class:`ResourceUnavailable`.

    ``trusted`` hosts may resolve to any address, and only to them are ``headers`` sent (an
    API key never follows a redirect to another host)."""

    timeout = float(timeout or config.fetch_timeout())
    timed_out = ResourceUnavailable(FAILED, f"timed out after {timeout:g} s")
    with _Watchdog(timeout) as watchdog:
        try:
            path = _download(url, max_bytes=max_bytes, truncate=truncate, deadline=time.monotonic() + timeout,
                             watchdog=watchdog, trusted=trusted, headers=headers or {})  # fmt: skip
        except (ResourceUnavailable, OSError) as error:
            if watchdog.expired and getattr(error, "reason", FAILED) == FAILED:
                raise timed_out from error
            if isinstance(error, OSError):
                raise ResourceUnavailable(FAILED, f"{type(error).__name__}: {error}") from error
            raise
    if watchdog.expired:  # the socket was shut mid-body: what arrived is not the whole file
        path.unlink(missing_ok=True)
        raise timed_out
    return path


def _download(
    url: str, *, max_bytes: int, truncate: bool, deadline: float, watchdog: _Watchdog,
    trusted: frozenset[str], headers: dict[str, str],
) -> Path:  # fmt: skip
    for _ in range(MAX_REDIRECTS + 1):
        scheme, host, port, address = check_url(url, trusted)
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host_header = host if parts.port is None else f"{host}:{port}"
        remaining = max(deadline - time.monotonic(), 0.1)
        pool_args: dict[str, Any] = {
            "port": port,
            "timeout": urllib3.Timeout(connect=remaining, read=remaining),
            "retries": False,
            "maxsize": 1,
            "watchdog": watchdog,  # handed to the connection (urllib3's conn_kw)
        }
        if scheme == "https":
            pool: urllib3.HTTPConnectionPool = _WatchedTLSPool(
                address, server_hostname=host, assert_hostname=host, cert_reqs="CERT_REQUIRED", **pool_args
            )
        else:
            pool = _WatchedPool(address, **pool_args)
        try:
            response = pool.urlopen(
                "GET",
                path,
                headers={
                    "Host": host_header,
                    "User-Agent": USER_AGENT,
                    "Accept": "*/*",
                    **(headers if host in trusted else {}),
                },
                redirect=False,
                preload_content=False,
                assert_same_host=False,
            )
        except urllib3.exceptions.HTTPError as error:
            pool.close()
            raise ResourceUnavailable(FAILED, f"{type(error).__name__}: {error}") from error
        try:
            if response.status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
                url = urljoin(url, response.headers["Location"])
                continue
            if response.status != 200:
                raise ResourceUnavailable(NO_FILE if response.status in (404, 410) else FAILED,
                                          f"HTTP {response.status}")  # fmt: skip
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes and not truncate:
                raise ResourceUnavailable(TOO_LARGE, f"{length} bytes")
            try:
                return _to_temp(response.stream(CHUNK), max_bytes, truncate, deadline)
            except urllib3.exceptions.HTTPError as error:
                raise ResourceUnavailable(FAILED, f"{type(error).__name__}: {error}") from error
        finally:
            response.release_conn()
            pool.close()
    raise ResourceUnavailable(FAILED, "too many redirects")
