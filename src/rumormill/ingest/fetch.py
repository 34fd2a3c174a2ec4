"""Polite fetching of http(s) inputs, with the standard library only.

A `Fetcher` sends a User-Agent that names rumormill, asks robots.txt first (once per host,
through `urllib.robotparser`), waits between requests to one host (`delay`, or the host's
Crawl-delay when longer), follows at most `max_redirects` redirects (each checked again:
http(s) only, robots.txt), gives up after `timeout` seconds without data, and reads at
most `max_bytes`.  Every failure is coded: E050 (cannot fetch), E051 (robots.txt says no),
E052 (not an http(s) URL), E005 (too large).

robots.txt: a 401 or 403 forbids the whole host, any other 4xx allows it; a 5xx or an
unreachable host forbids it for now (RFC 9309).
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass
from email.message import Message
from importlib import metadata
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

from rumormill.errors import Errors, InputError
from rumormill.ingest import files


def _version() -> str:
    try:
        return metadata.version("rumormill")
    except metadata.PackageNotFoundError:
        return "0"


ROBOTS_AGENT = "rumormill"  # the product token robots.txt rules name
USER_AGENT = f"{ROBOTS_AGENT}/{_version()} (+https://github.com/rumormill)"
SCHEMES = ("http", "https")
_REDIRECTS = (301, 302, 303, 307, 308)
_MAX_CRAWL_DELAY = 60.0  # a robots.txt Crawl-delay is honoured up to this many seconds
_ROBOTS_LIMIT = 512 * 1024  # RFC 9309: at least 500 KiB of robots.txt must be read


@dataclass(frozen=True)
class Fetched:
    """A fetched document."""

    url: str  # the URL it was fetched from, after redirects
    data: bytes
    content_type: str | None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects come back as errors, so that the Fetcher checks each hop itself."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class _StatusError(Exception):
    """An HTTP answer other than 200, with what the Fetcher needs of it."""

    def __init__(self, code: int, reason: str, location: str | None) -> None:
        super().__init__(f"HTTP {code} {reason}".strip())
        self.code = code
        self.location = location


class Fetcher:
    """Fetches http(s) URLs politely; see the module's doc.  One per batch: it keeps each
    host's robots.txt and the time of its last request."""

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        max_bytes: int = files.MAX_BYTES,
        user_agent: str = USER_AGENT,
        max_redirects: int = 5,
        delay: float = 1.0,
        robots: bool = True,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.user_agent = user_agent
        self.max_redirects = max_redirects
        self.delay = delay
        self.robots = robots
        self._opener = urllib.request.build_opener(_NoRedirects())
        self._rules: dict[str, urllib.robotparser.RobotFileParser | InputError] = {}
        self._last: dict[str, float] = {}

    def fetch(self, url: str) -> Fetched:
        """The document at `url`, or an InputError naming `url` and the reason."""
        current = url
        for _ in range(self.max_redirects + 1):
            where = url if current == url else f"{url} (redirected to {current})"
            self._check_scheme(current, name=where)
            if self.robots:
                self._check_robots(current, name=where)
            try:
                return self._get(current, name=where, limit=self.max_bytes)
            except _StatusError as e:
                if e.code in _REDIRECTS and e.location:
                    current = urljoin(current, e.location)
                    continue
                raise InputError(Errors.E050, path=where, reason=str(e)) from e
        raise InputError(Errors.E050, path=url, reason=f"more than {self.max_redirects} redirects")

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets rumormill fetch `url` (False when it cannot be read)."""
        try:
            self._check_robots(url, name=url)
        except InputError:
            return False
        return True

    # --- internals -------------------------------------------------------------------------

    @staticmethod
    def _check_scheme(url: str, *, name: str) -> None:
        scheme = urlsplit(url).scheme.lower()
        if scheme not in SCHEMES:
            reason = f"only http and https URLs are fetched, not {scheme or 'this'!r}"
            raise InputError(Errors.E052, path=name, reason=reason)

    def _check_robots(self, url: str, *, name: str) -> None:
        parts = urlsplit(url)
        host = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        rules = self._rules.get(host)
        if rules is None:
            rules = self._rules[host] = self._robots(host)
        if isinstance(rules, InputError):
            raise InputError(Errors.E050, path=name, reason=rules.details["reason"]) from rules
        if not rules.can_fetch(ROBOTS_AGENT, url):
            raise InputError(Errors.E051, path=name, agent=ROBOTS_AGENT)

    def _robots(self, host: str) -> urllib.robotparser.RobotFileParser | InputError:
        rules = urllib.robotparser.RobotFileParser(host + "/robots.txt")
        where = host + "/robots.txt"
        current = where
        for _ in range(self.max_redirects + 1):
            try:
                fetched = self._get(current, name=where, limit=_ROBOTS_LIMIT, truncate=True)
            except _StatusError as e:
                if e.code in _REDIRECTS and e.location:
                    current = urljoin(current, e.location)
                    if urlsplit(current).scheme.lower() in SCHEMES:
                        continue
                if e.code in (401, 403):
                    rules.parse(["User-agent: *", "Disallow: /"])
                elif 400 <= e.code < 500:
                    rules.parse([])  # no robots.txt: everything is allowed
                else:
                    return InputError(Errors.E050, path=where, reason=f"robots.txt: {e}")
                return rules
            except InputError as e:
                return InputError(
                    Errors.E050, path=where, reason=f"robots.txt: {e.details['reason']}"
                )
            text = fetched.data.decode("utf-8", errors="replace")
            rules.parse(text.splitlines())
            return rules
        return InputError(Errors.E050, path=where, reason="robots.txt: too many redirects")

    def _wait(self, host: str) -> None:
        delay = self.delay
        rules = self._rules.get(host)
        if isinstance(rules, urllib.robotparser.RobotFileParser):
            asked = rules.crawl_delay(ROBOTS_AGENT)
            if asked is not None:
                delay = max(delay, min(float(asked), _MAX_CRAWL_DELAY))
        last = self._last.get(host)
        if last is not None and delay > 0:
            pause = last + delay - time.monotonic()
            if pause > 0:
                time.sleep(pause)

    def _get(self, url: str, *, name: str, limit: int, truncate: bool = False) -> Fetched:
        """One GET, no redirects followed (raised as _StatusError), the body read bounded."""
        parts = urlsplit(url)
        host = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        self._wait(host)
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
        try:
            response = self._opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as e:
            location = e.headers.get("Location") if e.headers else None
            e.close()
            raise _StatusError(e.code, str(e.reason or ""), location) from e
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as e:
            reason = getattr(e, "reason", None) or e
            raise InputError(Errors.E050, path=name, reason=str(reason)) from e
        finally:
            self._last[host] = time.monotonic()
        with response:
            try:
                data = _read(response, response.headers, limit=limit, name=name, truncate=truncate)
            except (http.client.HTTPException, OSError) as e:
                raise InputError(Errors.E050, path=name, reason=f"reading: {e}") from e
            finally:
                self._last[host] = time.monotonic()
            return Fetched(
                url=response.geturl() or url,
                data=data,
                content_type=response.headers.get("Content-Type"),
            )


def _read(stream: IO[bytes], headers: Message, *, limit: int, name: str, truncate: bool) -> bytes:
    """A response body, at most `limit` bytes (E005 past it, unless `truncate`)."""
    declared = headers.get("Content-Length")
    if not truncate and declared and declared.isdigit() and int(declared) > limit:
        raise InputError(Errors.E005, path=name, size=int(declared), limit=limit)
    parts: list[bytes] = []
    got = 0
    while got <= limit:
        chunk = stream.read(min(64 * 1024, limit + 1 - got))
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    data = b"".join(parts)
    if len(data) > limit:
        if truncate:
            return data[:limit]
        raise InputError(Errors.E005, path=name, size=f"over {limit}", limit=limit)
    return data
