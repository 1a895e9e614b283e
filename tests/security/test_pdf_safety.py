"""Whatever a user typed into a free-text field, rendering a PDF fetches nothing but our own
static files and data: URIs (no SSRF to the cloud metadata address, no local files)."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from unittest import mock

import pytest

from reports import rendering


@pytest.fixture
def trap_server():
    """A web server on localhost that records every request made to it."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


def hostile_html(base: str) -> str:
    return f"""<html><head>
    <link rel="stylesheet" href="file:///etc/passwd">
    <link rel="stylesheet" href="{base}/style.css">
    <style>@import url({base}/import.css); body {{ background: url({base}/bg.png); }}
    @font-face {{ font-family: X; src: url({base}/font.ttf); }}</style>
    </head><body>
    <h1>Amara's one-page profile</h1>
    <img src="http://169.254.169.254/latest/meta-data/">
    <img src="{base}/pixel.png">
    <img src="file:///etc/passwd">
    <img src="../../../../etc/passwd">
    <img src="/static/../../etc/passwd">
    <iframe src="{base}/frame"></iframe>
    <object data="{base}/object"></object>
    <a href="{base}/link">a link is fine: it is not fetched</a>
    </body></html>"""


def test_hostile_html_fetches_nothing_and_still_renders(trap_server):
    base, hits = trap_server
    asked, connects = [], []
    real_fetcher = rendering.static_only_fetcher
    real_connect = socket.socket.connect

    def spy_fetcher(url, *args, **kwargs):
        asked.append(url)
        return real_fetcher(url, *args, **kwargs)

    def spy_connect(sock, address):
        connects.append(address)
        return real_connect(sock, address)

    with (
        mock.patch.object(rendering, "static_only_fetcher", spy_fetcher),
        mock.patch.object(socket.socket, "connect", spy_connect),
    ):
        pdf = rendering.render_pdf(hostile_html(base))
    assert pdf.startswith(b"%PDF-")
    assert hits == [], f"the PDF renderer fetched {hits}"
    assert connects == [], f"the PDF renderer opened connections to {connects}"
    # Every URL went through our fetcher (which refused it), none around it.
    assert any("169.254.169.254" in u for u in asked)
    assert any(u.startswith("file:") for u in asked)


def test_our_static_files_still_load_in_a_pdf():
    asked = []
    real_fetcher = rendering.static_only_fetcher

    def spy_fetcher(url, *args, **kwargs):
        asked.append(url)
        return real_fetcher(url, *args, **kwargs)

    with mock.patch.object(rendering, "static_only_fetcher", spy_fetcher):
        pdf = rendering.render_pdf('<img src="/static/favicon.svg" alt="logo"><p>Hello</p>')
    assert pdf.startswith(b"%PDF-") and asked == ["/static/favicon.svg"]


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "https://example.org/x.png",
        "file:///etc/passwd",
        "ftp://example.org/x",
        "/static/../../etc/passwd",
        "static:../settings.py",
        "//evil.example/x.png",
    ],
)
def test_the_fetcher_refuses_anything_but_static_and_data(url):
    with pytest.raises(rendering.BlockedFetch):
        rendering.static_only_fetcher(url)


def test_the_fetcher_serves_our_static_files_and_data_uris():
    assert b"<svg" in rendering.static_only_fetcher("static:favicon.svg")["string"]
    data = rendering.static_only_fetcher("data:text/plain;base64,aGk=")
    assert data is not None
