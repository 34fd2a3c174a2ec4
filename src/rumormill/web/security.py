"""Who may write, and the headers every response carries.

Article text is untrusted input from the open web; the pages escape it (autoescaping
templates, `highlight.py`), and the headers below keep a browser from running anything the
pages did not ship: a Content-Security-Policy with no inline scripts or styles, no framing,
no MIME sniffing, no referrer sent to other sites.

**Write actions** (resolve, undo, accept or reject a suggestion) need the server's token: in
the `Authorization: Bearer …` (or `X-Rumormill-Token`) header for the JSON API, in the form's
`token` field for the HTML forms.  A cross-site page cannot know the token, so it cannot forge
a write (CSRF); cookies are never an authority here.  A request whose `Origin` (or, without
one, `Referer`) names another site is refused too, and every write is refused in read-only
mode.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from rumormill.errors import Errors, RumormillError

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
TOKEN_HEADER = "x-rumormill-token"


class AccessError(RumormillError):
    """A write refused: no or a wrong token (E135, 401), read-only mode (E136, 403), a
    cross-site request (E137, 403)."""

    @property
    def status(self) -> int:
        return 401 if self.code is Errors.E135 else 403


async def security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Middleware: the security headers on every response."""
    response = await call_next(request)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def check_origin(request: Request) -> None:
    """Refuse (E137) a request whose Origin, or else Referer, is another site than the one
    it was sent to; a request with neither (curl, a script) passes on its token alone."""
    own = (request.url.scheme.lower(), (request.headers.get("host") or request.url.netloc).lower())
    origin = request.headers.get("origin")
    if origin is not None:
        if origin == "null" or _origin(origin) != own:
            raise AccessError(Errors.E137, reason=f"Origin {origin!r} is not this server")
        return
    referer = request.headers.get("referer")
    if referer is not None and _origin(referer) != own:
        raise AccessError(Errors.E137, reason="the Referer is not this server")


def header_token(request: Request) -> str | None:
    """The token a JSON request carries: `Authorization: Bearer …` or `X-Rumormill-Token`."""
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get(TOKEN_HEADER)


def authorize(
    request: Request, *, expected: str | None, given: str | None, read_only: bool, action: str
) -> None:
    """Allow a write action, or raise `AccessError` (see the module docstring)."""
    if read_only:
        raise AccessError(Errors.E136, action=action)
    check_origin(request)
    if not expected:
        raise AccessError(Errors.E135, action=action, reason="the server has no token set")
    if not given:
        raise AccessError(Errors.E135, action=action, reason="none was given")
    if not hmac.compare_digest(given.encode("utf8"), expected.encode("utf8")):
        raise AccessError(Errors.E135, action=action, reason="the token given is wrong")
