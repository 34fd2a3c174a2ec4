"""Outlet identity: `cityam.com`, `www.cityam.com` and "City A.M." are one outlet.

Three kinds of key, each stored as an alias of one outlet (`outlet_aliases`):

- `domain`: the host of a URL (or a raw name that is a domain), lower-cased, its version
  prefixes stripped (`www.`, `m.`, `amp.`), reduced to the registrable domain
  (`uk.reuters.com` -> `reuters.com`; `x.substack.com` stays, see `OUTLET_HOSTING_DOMAINS`);
- `name`: a raw name case-folded, accents, punctuation and a leading "the" removed
  ("The City A.M." -> "city am");
- `label`: a name squashed ("cityam", and "thecityam") or a domain's label ("cityam"), which
  is how a name finds its domain: "City A.M." -> "cityam" == the label of "cityam.com".

Resolution prefers a domain to a name and a name to a label, and never joins two different
domains through a label (`independent.co.uk` and `independent.ie` stay two outlets).  Known
outlets (`nlp/patterns.py`, KNOWN_OUTLETS) give a canonical name and domain to "AP",
"apnews.com" and "Associated Press" alike.  Aliases are editable (`Store.add_alias`,
`Store.merge_outlets`): every rule here is a default.
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rumormill.nlp.patterns import (
    KNOWN_OUTLETS,
    OUTLET_HOST_PREFIXES,
    OUTLET_HOSTING_DOMAINS,
    OUTLET_MULTI_LABEL_SUFFIXES,
)
from rumormill.store import schema

# A host name: dot-separated labels, the last one alphabetic (or an IDNA "xn--" label), so that
# "A.M." or "1.5" are not domains.
_HOST = re.compile(r"^(?:[\w-]+\.)+(?:[^\W\d_]{2,}|xn--[a-z0-9-]+)$")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Outlet:
    """One outlet: its display name, its domain when known, its aliases and article count."""

    id: int
    name: str
    domain: str | None
    aliases: tuple[str, ...] = ()  # "kind:alias", e.g. "domain:cityam.com", "name:city am"
    articles: int = 0


@dataclass(frozen=True)
class KnownOutlet:
    name: str
    domain: str
    names: tuple[str, ...]  # normalised
    domains: tuple[str, ...]  # normalised, the canonical one first


@dataclass(frozen=True)
class OutletKeys:
    """What identifies one (raw name, URL) pair."""

    domain: str | None
    name: str | None
    labels: tuple[str, ...]
    display: str
    known: KnownOutlet | None = None

    def __bool__(self) -> bool:
        return bool(self.domain or self.name)


# --- normalisation (pure) ----------------------------------------------------------------------


def looks_like_domain(raw: str) -> bool:
    """Whether a raw outlet is a URL or a host name rather than a name."""
    s = raw.strip().lower()
    if "://" in s or s.startswith("//"):
        return True
    return " " not in s and _HOST.match(_host_part(s)) is not None


def _host_part(s: str) -> str:
    host = s.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    host = host.rsplit("@", 1)[-1]
    if ":" in host:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def normalise_domain(raw: str | None) -> str | None:
    """The outlet domain of a URL or host name, or None when it has none (an IP, localhost)."""
    if not raw:
        return None
    s = raw.strip()
    if "://" in s or s.startswith("//"):
        try:
            host = urlsplit(s if "://" in s else "http:" + s).hostname or ""
        except ValueError:
            return None
    else:
        host = _host_part(s)
    host = host.strip().lower().rstrip(".")
    if "xn--" in host:
        with suppress(UnicodeError):
            host = host.encode("ascii").decode("idna")
    host = unicodedata.normalize("NFC", host)
    if not _HOST.match(host):
        return None
    labels = host.split(".")
    while len(labels) > 2 and OUTLET_HOST_PREFIXES.match(labels[0]):
        labels.pop(0)
    suffix = 2 if ".".join(labels[-2:]) in OUTLET_MULTI_LABEL_SUFFIXES else 1
    keep = suffix + 1
    if ".".join(labels[-keep:]) in OUTLET_HOSTING_DOMAINS and len(labels) > keep:
        keep += 1
    if len(labels) < keep:  # a bare suffix ("co.uk") names no outlet
        return None
    return ".".join(labels[-keep:])


def domain_label(domain: str) -> str:
    """The label that names the site: "cityam" of "cityam.com", "bbc" of "bbc.co.uk",
    "someone" of "someone.substack.com"."""
    labels = domain.split(".")
    suffix = 2 if ".".join(labels[-2:]) in OUTLET_MULTI_LABEL_SUFFIXES else 1
    if ".".join(labels[-suffix - 1 :]) in OUTLET_HOSTING_DOMAINS and len(labels) > suffix + 1:
        suffix += 1
    return labels[-suffix - 1] if len(labels) > suffix else domain


def normalise_name(raw: str | None) -> str | None:
    """A name as a key: case-folded, accents and punctuation removed, spaces collapsed, and a
    leading "the" dropped.  None when nothing is left."""
    if not raw:
        return None
    s = unicodedata.normalize("NFKD", raw)
    s = "".join(
        ch
        for ch in s
        if not unicodedata.category(ch).startswith(("M", "P", "S", "C")) or ch in " \t\n"
    )
    s = _SPACES.sub(" ", s.casefold()).strip()
    while s.startswith("the ") and len(s) > 4:
        s = s[4:]
    return s or None


def squash(name: str) -> str:
    return name.replace(" ", "")


def name_labels(name: str) -> tuple[str, ...]:
    """The labels a normalised name may have as a domain: "city am" -> cityam, thecityam."""
    squashed = squash(name)
    return (squashed, "the" + squashed)


@cache
def _known() -> tuple[dict[str, KnownOutlet], dict[str, KnownOutlet]]:
    by_name: dict[str, KnownOutlet] = {}
    by_domain: dict[str, KnownOutlet] = {}
    for name, domain, others in KNOWN_OUTLETS:
        names = [normalise_name(name)]
        domains = [normalise_domain(domain)]
        for other in others:
            if looks_like_domain(other):
                domains.append(normalise_domain(other))
            else:
                names.append(normalise_name(other))
        known = KnownOutlet(
            name=name,
            domain=domains[0] or domain,
            names=tuple(dict.fromkeys(n for n in names if n)),
            domains=tuple(dict.fromkeys(d for d in domains if d)),
        )
        for n in known.names:
            by_name[n] = known
        for d in known.domains:
            by_domain[d] = known
    return by_name, by_domain


def known_outlet(*, name: str | None = None, domain: str | None = None) -> KnownOutlet | None:
    """The known outlet with this normalised name or domain."""
    by_name, by_domain = _known()
    if domain and domain in by_domain:
        return by_domain[domain]
    if name and name in by_name:
        return by_name[name]
    return None


def outlet_keys(raw: str | None, url: str | None) -> OutletKeys:
    """The keys that identify the outlet of an article with this outlet name and URL.

    The URL's domain wins over a raw name that is itself a domain; a known outlet's name with
    another site's URL (an "AP" credit on a page of yahoo.com) identifies the site, and the
    name is then not used.
    """
    raw = (raw or "").strip() or None
    domain = normalise_domain(url) if url else None
    name: str | None = None
    if raw is not None:
        if looks_like_domain(raw):
            domain = domain or normalise_domain(raw)
        else:
            name = normalise_name(raw)
    known_by_name = known_outlet(name=name) if name else None
    known = known_outlet(domain=domain) if domain else known_by_name
    if known is not None:
        domain = known.domain
    if name and known_by_name is not None and known_by_name is not known:
        name = None  # a known outlet's name on another site's page
    labels: list[str] = []
    if domain:
        labels.append(domain_label(domain))
    if name:
        labels.extend(name_labels(name))
    if known is not None:
        display = known.name
    elif name and raw:
        display = raw
    else:
        display = domain or raw or ""
    return OutletKeys(domain, name, tuple(dict.fromkeys(labels)), display, known)


def alias_key(alias: str) -> tuple[str, str]:
    """An alias typed by a person, as (kind, key): a domain or a name."""
    if looks_like_domain(alias):
        domain = normalise_domain(alias)
        if domain:
            return "domain", domain
    name = normalise_name(alias)
    if not name:
        raise ValueError("nothing is left of it once normalised")
    return "name", name


# --- resolution in a store --------------------------------------------------------------------

_A = schema.outlet_aliases
_O = schema.outlets


_LOOKUP = sa.select(_A.c.outlet_id).where(
    _A.c.kind == sa.bindparam("kind"), _A.c.alias == sa.bindparam("alias")
)
_DOMAIN_OF = sa.select(_O.c.domain).where(_O.c.id == sa.bindparam("id"))
_INSERT_ALIAS = sa.insert(_A)


def _lookup(conn: Connection, kind: str, key: str) -> int | None:
    return conn.execute(_LOOKUP, {"kind": kind, "alias": key}).scalar_one_or_none()


def _domain_of(conn: Connection, outlet_id: int) -> str | None:
    return conn.execute(_DOMAIN_OF, {"id": outlet_id}).scalar_one_or_none()


def find(conn: Connection, keys: OutletKeys) -> int | None:
    """The outlet these keys identify in the store, or None.  Reads only."""
    if not keys:
        return None
    if keys.domain:
        found = _lookup(conn, "domain", keys.domain)
        if found is not None:
            return found
    if keys.known is not None:
        for domain in keys.known.domains:
            found = _lookup(conn, "domain", domain)
            if found is not None:
                return found
    candidates: list[int | None] = []
    if keys.name:
        candidates.append(_lookup(conn, "name", keys.name))
    candidates.extend(_lookup(conn, "label", label) for label in keys.labels)
    for found in candidates:
        # A name or a label joins an outlet with no domain yet, or with this very domain;
        # never two different domains.
        if found is not None and (keys.domain is None or _domain_of(conn, found) is None):
            return found
    return None


def resolve(conn: Connection, keys: OutletKeys, *, raw: str | None) -> int | None:
    """The outlet of these keys, created when new; learns the keys it did not have yet."""
    if not keys:
        return None
    outlet_id = find(conn, keys)
    now = datetime.now(UTC)
    if outlet_id is None:
        inserted = conn.execute(
            sa.insert(_O).values(name=keys.display, domain=keys.domain, created_at=now)
        ).inserted_primary_key
        assert inserted is not None
        outlet_id = int(inserted[0])
        if keys.known is not None:
            for domain in keys.known.domains:
                _add_if_absent(conn, "domain", domain, outlet_id, domain, "known")
            for name in keys.known.names:
                _add_if_absent(conn, "name", name, outlet_id, None, "known")
                for label in name_labels(name):
                    _add_if_absent(conn, "label", label, outlet_id, None, "known")
    else:
        row = conn.execute(sa.select(_O.c.name, _O.c.domain).where(_O.c.id == outlet_id)).one()
        if keys.domain and row.domain is None:
            taken = conn.execute(sa.select(_O.c.id).where(_O.c.domain == keys.domain)).first()
            if taken is None:
                conn.execute(sa.update(_O).where(_O.c.id == outlet_id).values(domain=keys.domain))
        # An outlet named after its domain takes a name once one is seen (a known outlet's
        # canonical name, else the raw name): people read names.
        if row.name == row.domain and keys.display != row.name and (keys.name or keys.known):
            conn.execute(sa.update(_O).where(_O.c.id == outlet_id).values(name=keys.display))
    if keys.domain and (keys.known is None or keys.domain in keys.known.domains):
        _add_if_absent(conn, "domain", keys.domain, outlet_id, keys.domain, "auto")
    if keys.name:
        _add_if_absent(conn, "name", keys.name, outlet_id, raw, "auto")
    for label in keys.labels:
        _add_if_absent(conn, "label", label, outlet_id, None, "auto")
    return outlet_id


def _add_if_absent(
    conn: Connection, kind: str, key: str, outlet_id: int, raw: str | None, origin: str
) -> None:
    if _lookup(conn, kind, key) is None:
        conn.execute(
            _INSERT_ALIAS,
            {"kind": kind, "alias": key, "outlet_id": outlet_id, "raw": raw, "origin": origin},
        )


def load(conn: Connection, outlet_id: int) -> Outlet | None:
    row = conn.execute(sa.select(_O).where(_O.c.id == outlet_id)).first()
    if row is None:
        return None
    aliases = conn.execute(
        sa.select(_A.c.kind, _A.c.alias).where(_A.c.outlet_id == outlet_id).order_by(_A.c.id)
    )
    count = conn.execute(
        sa.select(sa.func.count())
        .select_from(schema.articles)
        .where(schema.articles.c.outlet_id == outlet_id)
    ).scalar_one()
    return Outlet(
        id=row.id,
        name=row.name,
        domain=row.domain,
        aliases=tuple(f"{kind}:{alias}" for kind, alias in aliases),
        articles=count,
    )
