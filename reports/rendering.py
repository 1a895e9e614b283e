"""The one place that renders PDFs. HTML from a template -> WeasyPrint -> bytes.

WeasyPrint only ever fetches our own static files and data: URIs, so text a user typed into a
free-text field (an <img src="http://..."> or a file:// URL) cannot make the server fetch
anything (DESIGN.md, "A PDF")."""

import mimetypes
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

STATIC_PREFIXES = ("/static/", "static/")


class BlockedFetch(ValueError):
    pass


def static_only_fetcher(url: str, timeout: int = 10, ssl_context=None):
    """url_fetcher for WeasyPrint: data: URIs and files staticfiles can find; nothing else."""
    if url.startswith("data:"):
        from urllib.request import urlopen

        with urlopen(url) as response:  # data: URIs are decoded locally, never fetched
            return {"string": response.read(), "mime_type": response.headers.get_content_type()}
    path = None
    for prefix in ("static:", "/static/", "static/"):
        if url.startswith(prefix):
            path = url[len(prefix) :]
            break
    if path is None or ".." in Path(path).parts:
        raise BlockedFetch(f"Refused to fetch {url[:80]!r}: PDFs may only use our own static files")
    found = finders.find(path.split("?")[0])
    if not found:
        raise BlockedFetch(f"No static file {path!r}")
    mime, _ = mimetypes.guess_type(found)
    return {"string": Path(found).read_bytes(), "mime_type": mime or "application/octet-stream"}


def _weasyprint_fetcher():
    """WeasyPrint (70+) wants a URLFetcher instance: wrap static_only_fetcher in one."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            found = static_only_fetcher(url)
            return URLFetcherResponse(url, found["string"], {"Content-Type": found["mime_type"]})

    return StaticOnlyFetcher()


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    # base_url "static:" makes relative URLs resolve to static files, never to the network.
    return HTML(string=html, base_url="static:", url_fetcher=_weasyprint_fetcher()).write_pdf()


def render_template_pdf(template: str, context: dict) -> bytes:
    return render_pdf(render_to_string(template, context))
