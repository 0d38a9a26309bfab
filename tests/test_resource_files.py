"""A resource's file as a local file (resource_files.py): uploads on CKAN 2.11 and 2.12, and
linked files fetched safely (no file:, no private addresses, size and time limits)."""

from __future__ import annotations

import contextlib
import http.server
import importlib.util
import io
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest
from ckan.tests import helpers
from werkzeug.datastructures import FileStorage

from ckanext.satudata_balikpapan.lib import resource_files
from ckanext.satudata_balikpapan.lib.resource_files import ResourceUnavailable
from tests.conftest import create_dataset, make_opd_org

CSV = b"kode_wilayah,tahun,kasus\n64.71.01,2024,17\n64.71.02,2024,9\n"


@pytest.fixture
def uploaded(clean_db):
    make_opd_org("dinkes")
    dataset = create_dataset()

    def upload(content: bytes = CSV, filename: str = "dbd-2024.csv") -> dict:
        return helpers.call_action(
            "resource_create", context={"ignore_auth": True, "user": helpers.call_action("get_site_user")["name"]},
            package_id=dataset["id"], url=filename, format="CSV",
            upload=FileStorage(io.BytesIO(content), filename=filename),
        )  # fmt: skip

    return upload


def _has_files_layer() -> bool:
    """Whether this CKAN has 2.12's files storage layer (``ckan.lib.files``)."""
    return importlib.util.find_spec("ckan.lib.files") is not None


class TestUploads:
    def test_an_uploaded_file_can_be_read(self, uploaded):
        resource = uploaded()
        with resource_files.open_resource(resource, max_bytes=1024) as path:
            assert path is not None
            assert path.read_bytes() == CSV

    def test_a_temporary_copy_is_removed_afterwards(self, uploaded):
        resource = uploaded()
        path, temporary = resource_files.fetch_resource(resource, max_bytes=1024)
        with resource_files.open_resource(resource, max_bytes=1024) as opened:
            pass
        # CKAN 2.12 streams from its files storage (here in memory) into a temporary copy;
        # CKAN 2.11 keeps uploads under ckan.storage_path and the stored file itself is read
        assert temporary is _has_files_layer()
        if temporary:
            assert not opened.exists()
            path.unlink()
        else:
            assert opened.exists() and opened == path

    def test_a_file_larger_than_the_limit_is_refused_or_cut(self, uploaded):
        resource = uploaded(b"x" * 5000)
        with resource_files.open_resource(resource, max_bytes=1000) as path:
            assert path is None
        with pytest.raises(ResourceUnavailable) as error:
            resource_files.fetch_resource(resource, max_bytes=1000)
        assert error.value.reason == "too_large"
        with resource_files.open_resource(resource, max_bytes=1000, truncate=True) as path:
            assert path.read_bytes() == b"x" * 1000

    def test_a_missing_upload_is_unavailable(self, uploaded):
        resource = uploaded()
        ghost = dict(resource, id="0123456789abcdef-no-such-upload")
        with resource_files.open_resource(ghost, max_bytes=1024) as path:
            assert path is None


class TestAddresses:
    @pytest.mark.parametrize(
        ("address", "public"),
        [
            ("8.8.8.8", True),
            ("2001:4860:4860::8888", True),
            ("127.0.0.1", False),
            ("10.1.2.3", False),
            ("172.16.0.1", False),
            ("192.168.1.1", False),
            ("169.254.169.254", False),  # cloud metadata
            ("100.64.0.1", False),  # shared address space
            ("0.0.0.0", False),
            ("224.0.0.1", False),
            ("::1", False),
            ("fe80::1", False),
            ("fc00::1", False),
            ("::ffff:127.0.0.1", False),
            ("not an address", False),
        ],
    )
    def test_only_public_addresses_count_as_public(self, address, public):
        assert resource_files.is_public_address(address) is public

    @pytest.mark.parametrize(
        ("url", "reason"),
        [
            ("file:///etc/passwd", "unsupported"),
            ("ftp://example.org/data.csv", "unsupported"),
            ("gopher://127.0.0.1:6379/_FLUSHALL", "unsupported"),
            ("data.csv", "unsupported"),
            ("http://127.0.0.1/data.csv", "blocked"),
            ("http://localhost:5000/api/3/action/package_list", "blocked"),
            ("http://169.254.169.254/latest/meta-data/", "blocked"),
            ("https://10.0.0.8/data.csv", "blocked"),
            ("http://[::1]:8983/solr/", "blocked"),
        ],
    )
    def test_links_outside_the_public_web_are_never_fetched(self, url, reason):
        with pytest.raises(ResourceUnavailable) as error:
            resource_files.download(url, max_bytes=1024, timeout=2)
        assert error.value.reason == reason
        with resource_files.open_resource({"id": "r1", "url": url}, max_bytes=1024) as path:
            assert path is None


class _Handler(http.server.BaseHTTPRequestHandler):
    release = threading.Event()
    hung_up = threading.Event()

    def log_message(self, *args):  # keep the test output clean
        pass

    def do_GET(self):
        if self.path == "/data.csv":
            self._send(200, CSV)
        elif self.path == "/big.csv":
            self._send(200, b"y" * 4096)
        elif self.path == "/chunked.csv":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for _ in range(8):
                self.wfile.write(b"200\r\n" + b"z" * 512 + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/data.csv")
            self.end_headers()
        elif self.path == "/to-metadata":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
        elif self.path == "/slow.csv":
            self.release.wait(5)
            self._send(200, CSV)
        elif self.path in ("/drip.csv", "/drip-headers.csv"):
            self._drip(headers=self.path == "/drip-headers.csv")
        else:
            self._send(404, b"not found")

    def _drip(self, *, headers: bool) -> None:
        """One byte every 0.1 s for 6 s: no read ever waits long enough to time out."""
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\n"
        try:
            if headers:
                for byte in head + b"X-Pad: " + b"a" * 60:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.1)
            else:
                self.wfile.write(head + b"\r\n")
                for _ in range(60):
                    self.wfile.write(b"1")
                    self.wfile.flush()
                    time.sleep(0.1)
        except OSError:  # the client hung up: what the test expects
            _Handler.hung_up.set()

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def local_server() -> Iterator[str]:
    """A local HTTP server of test files: /data.csv, /big.csv, /chunked.csv, /moved (to
    /data.csv), /to-metadata (to 169.254.169.254), /slow.csv; anything else is a 404."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Handler.release.clear()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        _Handler.release.set()
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def server():
    with local_server() as url:
        yield url


@pytest.fixture
def allow_local(ckan_config, monkeypatch):
    """The test server runs on 127.0.0.1: allow it as an admin would allow an intranet host."""
    monkeypatch.setitem(ckan_config, "ckanext.satudata.fetch_allowed_hosts", ["127.0.0.1"])


class TestLinkedFiles:
    def test_a_local_server_is_refused_unless_allowed(self, server):
        with pytest.raises(ResourceUnavailable) as error:
            resource_files.download(f"{server}/data.csv", max_bytes=1024)
        assert error.value.reason == "blocked"

    def test_an_allowed_host_is_fetched(self, server, allow_local):
        with resource_files.open_resource({"id": "r1", "url": f"{server}/data.csv"}, max_bytes=1024) as path:
            assert path.read_bytes() == CSV
        assert not path.exists()  # the download is removed afterwards

    def test_size_limits_hold_with_and_without_a_content_length(self, server, allow_local):
        for name in ("big.csv", "chunked.csv"):
            with pytest.raises(ResourceUnavailable) as error:
                resource_files.download(f"{server}/{name}", max_bytes=1000)
            assert error.value.reason == "too_large", name
            path = resource_files.download(f"{server}/{name}", max_bytes=1000, truncate=True)
            assert path.stat().st_size == 1000
            path.unlink()

    def test_redirects_are_followed_and_checked(self, server, allow_local):
        path = resource_files.download(f"{server}/moved", max_bytes=1024)
        assert path.read_bytes() == CSV
        path.unlink()
        with pytest.raises(ResourceUnavailable) as error:
            resource_files.download(f"{server}/to-metadata", max_bytes=1024)
        assert error.value.reason == "blocked"

    def test_a_missing_file_and_a_slow_server(self, server, allow_local):
        with pytest.raises(ResourceUnavailable) as error:
            resource_files.download(f"{server}/gone.csv", max_bytes=1024)
        assert error.value.reason == "no_file"
        with pytest.raises(ResourceUnavailable) as error:
            resource_files.download(f"{server}/slow.csv", max_bytes=1024, timeout=0.5)
        assert error.value.reason == "failed"

    @pytest.mark.parametrize("path", ["/drip.csv", "/drip-headers.csv"])
    def test_a_server_that_drips_cannot_hold_a_fetch_past_its_timeout(self, server, allow_local, path):
        """Each byte arrives well within the read timeout; the fetch as a whole still ends at
        ``fetch_timeout`` (here 1 s of the 6 s the server would take): timed out, the
        connection closed, no partial file kept."""
        _Handler.hung_up.clear()
        with pytest.raises(ResourceUnavailable) as error:
            resource_files.download(f"{server}{path}", max_bytes=1024, timeout=1)
        assert error.value.reason == "failed"
        assert "timed out" in str(error.value)
        assert _Handler.hung_up.wait(3)  # the server saw the hang-up, long before its 6 s


@pytest.fixture
def tls_server(tmp_path):
    """An HTTPS server with a self-signed certificate (made by the openssl command)."""

    if not shutil.which("openssl"):
        pytest.skip("the openssl command is not installed")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_https_certificates_are_verified(tls_server, allow_local):
    with pytest.raises(ResourceUnavailable) as error:
        resource_files.download(f"{tls_server}/data.csv", max_bytes=1024, timeout=5)
    assert error.value.reason == "failed"
    assert "CERTIFICATE_VERIFY_FAILED" in str(error.value)
