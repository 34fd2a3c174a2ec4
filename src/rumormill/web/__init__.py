"""The analyst's web UI and JSON API (`rumormill serve`): see `app.py`."""

from __future__ import annotations

from rumormill.web.app import create_app

__all__ = ["create_app"]
