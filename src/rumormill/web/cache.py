"""Values computed from the store, kept until the store changes.

The dashboard is the same for every user and costs tens of queries; an analyst's browser, a
wall screen and a script polling `/index.json` ask for it again and again between two
ingest batches.  `GenerationCache` keeps the last value with the store's generation
(`store/stats.py`: every write transaction raises it, whichever process writes) and computes
it again only when the generation has moved: one indexed read per request, and never a
stale page after a write has committed.  One computation at a time: requests that arrive
while it runs wait for it and share its result.

`KeyedCache` does the same for pages with a key (a claim: its detail and provenance), the
`size` most recently used ones, all dropped when the generation moves.  A key that fails
(an unknown claim) is not kept: its error is raised each time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from rumormill.store import stats
from rumormill.store.store import Store

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


class GenerationCache(Generic[T]):
    def __init__(self, store: Store, compute: Callable[[], T]) -> None:
        self._store = store
        self._compute = compute
        self._lock = threading.Lock()
        self._kept: tuple[int, T] | None = None
        self.computed = 0  # how many times it was computed (for tests and benchmarks)

    def forget(self) -> None:
        """Drop what is kept (benchmarks: the cost of the first request after a write)."""
        with self._lock:
            self._kept = None

    def refresh(self) -> T:
        """Compute the value afresh, whatever is kept (what a request pays after a write)."""
        with self._store.reading() as conn:
            now = stats.generation(conn)
        with self._lock:
            value = self._compute()
            self._kept = (now, value)
            self.computed += 1
            return value

    def get(self) -> T:
        """The value for the store as it is now."""
        with self._store.reading() as conn:
            now = stats.generation(conn)
        with self._lock:
            if self._kept is not None and self._kept[0] == now:
                return self._kept[1]
            value = self._compute()  # a write may land meanwhile: the next call sees it moved
            self._kept = (now, value)
            self.computed += 1
            return value


class KeyedCache(Generic[K, T]):
    def __init__(self, store: Store, compute: Callable[[K], T], *, size: int = 256) -> None:
        self._store = store
        self._compute = compute
        self._size = size
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._kept: OrderedDict[K, T] = OrderedDict()
        self.computed = 0

    def forget(self) -> None:
        """Drop what is kept (benchmarks: the cost of the first request after a write)."""
        with self._lock:
            self._kept.clear()

    def get(self, key: K) -> T:
        """The value for `key` and the store as it is now."""
        with self._store.reading() as conn:
            now = stats.generation(conn)
        with self._lock:
            if self._generation != now:
                self._kept.clear()
                self._generation = now
            elif key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        value = self._compute(key)  # outside the lock: other keys go on meanwhile
        with self._lock:
            self.computed += 1
            if self._generation == now:
                self._kept[key] = value
                while len(self._kept) > self._size:
                    self._kept.popitem(last=False)
        return value
