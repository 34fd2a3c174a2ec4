"""Linking articles: near-duplicate copies (`copies.py`) and stories over time (`stories.py`)."""

from rumormill.link.copies import CopyIndex, CopyLink, CopyParams
from rumormill.link.stories import StoryClusterer, StoryInput, StoryParams, story_input

__all__ = [
    "CopyIndex",
    "CopyLink",
    "CopyParams",
    "StoryClusterer",
    "StoryInput",
    "StoryParams",
    "story_input",
]
