"""Page budget checker (DESIGN.md "Budgets every change keeps").

For one page it measures:

- the HTML as sent: the gzip-compressed response body (the site runs Django's
  GZipMiddleware), which must fit in 14 KB so that the first render needs one round trip;
- the total transfer: the HTML plus every same-origin stylesheet, script, image, icon or
  font the page references (and the ``url()``/``@import`` references inside those
  stylesheets), each fetched once and counted gzip-compressed when it is text (production
  serves pre-compressed static files through WhiteNoise), which must stay under 50 KB,
  of which at most 20 KB JavaScript;
- any reference to another origin (a third-party request);
- any render-blocking script: a ``<script>`` in ``<head>`` without ``defer``, ``async``
  or ``type="module"`` (data blocks such as JSON-LD are not scripts).

Fetching goes through a callable so the checker can be fed synthetic pages in tests.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.core.signals import request_finished
from django.db import close_old_connections

from tests.web.html_tree import Element, parse

KB = 1024
HTML_BUDGET = 14 * KB
TOTAL_BUDGET = 50 * KB
JS_BUDGET = 20 * KB
ORIGIN = "http://testserver"

TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")
NON_SCRIPT_TYPES = frozenset(
    {"application/ld+json", "application/json", "text/template", "importmap", "speculationrules"}
)
CSS_URL = re.compile(r"""url\(\s*(?:'([^']*)'|"([^"]*)"|([^)'"\s]+))\s*\)|@import\s+(?:'([^']*)'|"([^"]*)")""")


@dataclass
class Fetched:
    status: int
    content_type: str
    body: bytes  # as received on the wire
    content_encoding: str = ""

    @property
    def text(self) -> str:
        raw = gzip.decompress(self.body) if self.content_encoding == "gzip" else self.body
        return raw.decode("utf-8", errors="replace")

    @property
    def transfer_size(self) -> int:
        """Bytes on the wire, compressed as production would send it."""
        if self.content_encoding == "gzip":
            return len(self.body)
        if self.content_type.startswith(TEXT_TYPES):
            return min(len(self.body), len(gzip.compress(self.body, compresslevel=6)))
        return len(self.body)


Fetcher = Callable[[str], Fetched]


@dataclass
class Asset:
    url: str
    kind: str
    size: int
    status: int


@dataclass
class PageReport:
    path: str
    html_raw: int = 0
    html_compressed: int = 0
    assets: list[Asset] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.html_compressed + sum(a.size for a in self.assets)

    @property
    def javascript(self) -> int:
        return sum(a.size for a in self.assets if a.kind == "script")

    def summary(self) -> str:
        return (
            f"{self.path:<40} html {self.html_raw / KB:6.1f} KB raw, {self.html_compressed / KB:5.1f} KB gz; "
            f"assets {len(self.assets):2d} = {sum(a.size for a in self.assets) / KB:5.1f} KB; "
            f"total {self.total / KB:5.1f} KB (js {self.javascript / KB:.1f} KB)"
        )


def is_same_origin(url: str, base: str = ORIGIN) -> bool:
    parts = urlsplit(urljoin(base + "/", url))
    origin = urlsplit(base)
    return (parts.scheme, parts.netloc) == (origin.scheme, origin.netloc)


def _is_inline(url: str) -> bool:
    return url.startswith(("data:", "#", "about:", "blob:")) or not url.strip()


def _srcset_urls(value: str) -> list[str]:
    return [candidate.strip().split()[0] for candidate in value.split(",") if candidate.strip()]


def html_references(root: Element) -> list[tuple[str, str]]:
    """(kind, url) for everything the browser would fetch while loading the page."""
    refs: list[tuple[str, str]] = []
    for el in root.iter():
        tag = el.tag
        if tag == "link":
            rel = set(el.get("rel").lower().split())
            if rel & {"stylesheet", "icon", "preload", "modulepreload", "prefetch", "manifest", "apple-touch-icon"}:
                kind = "stylesheet" if "stylesheet" in rel else ("script" if "modulepreload" in rel else "other")
                refs.append((kind, el.get("href")))
            elif rel & {"dns-prefetch", "preconnect"}:
                refs.append(("connection", el.get("href")))
        elif tag == "script" and el.has("src"):
            refs.append(("script", el.get("src")))
        elif tag in ("img", "source", "track", "embed", "iframe", "audio", "video", "input"):
            if el.get("src"):
                refs.append(("image" if tag in ("img", "source", "input") else "other", el.get("src")))
            if el.get("srcset"):
                refs.extend(("image", url) for url in _srcset_urls(el.get("srcset")))
            if el.get("poster"):
                refs.append(("image", el.get("poster")))
        elif tag == "object" and el.get("data"):
            refs.append(("other", el.get("data")))
        elif tag == "style":
            refs.extend(("css-url", url) for url in css_references(el.all_text()))
        if el.get("style"):
            refs.extend(("css-url", url) for url in css_references(el.get("style")))
    return [(kind, url.strip()) for kind, url in refs if not _is_inline(url)]


def css_references(css: str) -> list[str]:
    return [next(g for g in match.groups() if g) for match in CSS_URL.finditer(css) if any(match.groups())]


def render_blocking_scripts(root: Element) -> list[str]:
    found = []
    for head in root.iter("head"):
        for script in head.iter("script"):
            kind = script.get("type").strip().lower()
            if kind in NON_SCRIPT_TYPES or kind == "module":
                continue
            if (script.has("defer") and script.has("src")) or script.has("async"):  # defer is ignored inline
                continue
            found.append(script.get("src") or "<inline script>")
    return found


def check_page(path: str, fetch: Fetcher, *, base: str = ORIGIN) -> PageReport:
    report = PageReport(path=path)
    page = fetch(path)
    report.html_raw = len(page.text.encode())
    report.html_compressed = page.transfer_size
    if report.html_compressed > HTML_BUDGET:
        report.problems.append(
            f"HTML is {report.html_compressed / KB:.1f} KB compressed, "
            f"over the {HTML_BUDGET // KB} KB first-render budget"
        )
    root = parse(page.text)
    for src in render_blocking_scripts(root):
        report.problems.append(f"render-blocking script in <head>: {src} (add defer, or move it to the end of <body>)")

    page_url = urljoin(base + "/", path)
    queue = [(kind, urljoin(page_url, url)) for kind, url in html_references(root)]
    seen: set[str] = set()
    while queue:
        kind, url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        if not is_same_origin(url, base):
            report.problems.append(f"third-party request: {url}")
            continue
        if kind == "connection":
            continue
        parts = urlsplit(url)
        local = parts.path + (f"?{parts.query}" if parts.query else "")
        asset = fetch(local)
        if asset.status != 200:
            report.problems.append(f"referenced {kind} {local} answers {asset.status}")
        if kind == "css-url" and asset.content_type.startswith("text/css"):
            kind = "stylesheet"
        if asset.content_type.startswith(("application/javascript", "text/javascript")):
            kind = "script"
        report.assets.append(Asset(url=local, kind=kind, size=asset.transfer_size, status=asset.status))
        if kind == "stylesheet" and asset.status == 200:
            queue.extend(("css-url", urljoin(url, ref)) for ref in css_references(asset.text) if not _is_inline(ref))

    if report.total > TOTAL_BUDGET:
        report.problems.append(f"total transfer is {report.total / KB:.1f} KB compressed, over {TOTAL_BUDGET // KB} KB")
    if report.javascript > JS_BUDGET:
        report.problems.append(f"JavaScript is {report.javascript / KB:.1f} KB compressed, over {JS_BUDGET // KB} KB")
    return report


def client_fetcher(client) -> Fetcher:
    """A fetcher over Django's test client, asking for gzip like a browser does."""

    def fetch(path: str) -> Fetched:
        response = client.get(path, HTTP_ACCEPT_ENCODING="gzip")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        # Release file handles of streamed static files; like Django's test client, keep
        # request_finished from closing the test's database connection meanwhile.
        request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            request_finished.connect(close_old_connections)
        return Fetched(
            status=response.status_code,
            content_type=response.get("Content-Type", ""),
            body=body,
            content_encoding=response.get("Content-Encoding", ""),
        )

    return fetch
