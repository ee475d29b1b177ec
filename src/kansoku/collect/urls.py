"""URL hygiene for collected pages: only http(s), and no credentials in anything that is stored or printed.

:func:`public_url` is the form of a URL that kansoku keeps (``sources``, ``metadata.fetch``, error lines):
the user name and password of ``https://user:pass@host/`` are removed, and query parameters that carry
secrets (``token``, ``key``, ``sig``, ``password``, ``X-Amz-Signature`` …) are dropped. The request itself
still uses the URL as given (a feed may need its token); only what is written down is cleaned.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

__all__ = ["UrlError", "check_url", "host_key", "join", "origin", "public_url"]

_SCHEMES = frozenset({"http", "https"})

#: query keys dropped from stored URLs: exact names (case-insensitive) …
_SECRET_KEYS = frozenset({
    "key", "apikey", "api_key", "api-key", "sig", "signature", "token", "access_token", "auth", "auth_token",
    "id_token", "refresh_token", "password", "passwd", "pwd", "secret", "client_secret", "sessionid",
    "session_id", "jsessionid", "phpsessid", "x-amz-signature", "x-amz-credential", "x-amz-security-token",
    "x-goog-signature", "x-goog-credential", "awsaccesskeyid",
})  # fmt: skip
#: … and names containing one of these words
_SECRET_PART = re.compile(r"token|secret|passw|signature|apikey|api_key|credential", re.I)


class UrlError(ValueError):
    """A URL kansoku does not fetch; ``str()`` is the one-line reason."""


def check_url(url: str) -> str:
    """``url`` stripped of surrounding space, or :class:`UrlError` if it is not an absolute http(s) URL."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise UrlError(f"not a valid URL ({exc})") from None
    if parts.scheme.lower() not in _SCHEMES:
        shown = f"{parts.scheme}:" if parts.scheme else "no scheme"
        raise UrlError(f"only http and https URLs are fetched ({shown})")
    try:
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise UrlError(f"not a valid URL ({exc})") from None
    if not host:
        raise UrlError("URL has no host")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise UrlError("URL contains spaces or control characters")
    return url


def public_url(url: str) -> str:
    """``url`` without user name, password, secret-bearing query parameters or fragment."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not _is_secret(k)]
        if len(kept) != len(pairs):
            query = urlencode(kept, doseq=True)
    return urlunsplit((parts.scheme.lower(), netloc.lower() if netloc.isascii() else netloc, parts.path or "/",
                       query, ""))


def _is_secret(key: str) -> bool:
    k = key.strip().lower()
    return k in _SECRET_KEYS or bool(_SECRET_PART.search(k))


def host_key(url: str) -> str:
    """``host:port`` of a URL, lower case: the unit of politeness (delay, concurrency, robots.txt)."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL (where its robots.txt lives)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return f"{parts.scheme.lower()}://{netloc.lower()}"


def join(base: str, link: str) -> str:
    """A link of a page or feed made absolute, without its fragment."""
    return urljoin(base, link.strip()).split("#", 1)[0]
