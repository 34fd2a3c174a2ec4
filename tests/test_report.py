"""The readable report, built by hand from a small Analysis (no model)."""

from __future__ import annotations

import io
from datetime import date

from rich.console import Console

from rumormill.model import Analysis, Article, Attribution, Certainty, Entity, Source, Span
from rumormill.report import build, shorten

TEXT = (
    "Analysts say a coup is reportedly near. Sergei Beseda, the head of the FSB's foreign "
    "intelligence branch, was arrested [/bold], Andrei Soldatov told Sky News."
)


def span(text: str, sub: str) -> Span:
    start = text.index(sub)
    return Span(start, start + len(sub), sub)


def sample(attributions: bool = True) -> Analysis:
    article = Article(
        text=TEXT,
        published=date(2022, 5, 5),
        outlet="YWN World Headquarters – NYC",
        url="https://example.com/coup",
        title="Coup rumors [red]",
        credit="YWN World Headquarters – NYC",
    )
    entities = [
        Entity(
            "e1",
            "Sergei Beseda",
            "PERSON",
            [span(TEXT, "Sergei Beseda")],
            ["head of the FSB's foreign intelligence branch"],
        ),
        Entity("e2", "Andrei Soldatov", "PERSON", [span(TEXT, "Andrei Soldatov")]),
    ]
    found = [
        Attribution(
            id="a1",
            kind="indirect",
            source=Source(span(TEXT, "Analysts"), "UNNAMED"),
            cue=span(TEXT, "say"),
            channel=None,
            content=span(TEXT, "a coup is reportedly near"),
            certainty=Certainty(2.0, "probable", ("reportedly",)),
        ),
        Attribution(
            id="a2",
            kind="unattributed",
            source=Source(None, "UNNAMED"),
            cue=span(TEXT, "reportedly"),
            channel=None,
            content=span(TEXT, "a coup is reportedly near"),
            certainty=Certainty(1.0, "probable", ("reportedly",)),
        ),
        Attribution(
            id="a3",
            kind="according_to",
            source=Source(span(TEXT, "Andrei Soldatov"), "PERSON", "e2", "Andrei Soldatov"),
            cue=span(TEXT, "told"),
            channel=span(TEXT, "Sky News"),
            content=span(TEXT, "Sergei Beseda, the head of the FSB's foreign intelligence branch"),
            certainty=Certainty(3.0, "asserted"),
        ),
    ]
    sentences = [Span(0, 39, TEXT[:39]), Span(40, len(TEXT), TEXT[40:])]
    return Analysis(article, sentences, entities, found if attributions else [])


def render(analysis: Analysis, width: int = 200) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    console.print(build(analysis))
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    return output


def test_header_entities_and_attributions() -> None:
    shown = render(sample())
    for part in (
        "2022-05-05",
        "YWN World Headquarters – NYC",
        "https://example.com/coup",
        "Coup rumors [red]",  # article text is never read as markup
        "Sergei Beseda",
        "head of the FSB's foreign intelligence branch",
        "according_to",
        "told · Sky News",
        "asserted +3.0",
        "probable +2.0",
        "reportedly",
    ):
        assert part in shown, part


def test_flagged_section_holds_unnamed_and_unattributed_only() -> None:
    shown = render(sample())
    flagged = shown[shown.index("Unattributed and unnamed sources") :]
    assert "a1" in flagged
    assert "Analysts (unnamed)" in flagged
    assert "a2" in flagged
    assert "(no source)" in flagged
    assert "a3" not in flagged


def test_no_attributions_is_a_report_too() -> None:
    shown = render(sample(attributions=False))
    assert "No attributions" in shown
    assert "None: every claim has a named source." in shown


def test_markup_in_the_text_is_shown_as_is() -> None:
    # "[/bold]" in the content would be a Rich markup error if it were parsed.
    analysis = sample()
    bad = Span(0, len(TEXT), TEXT)
    analysis.attributions[0] = Attribution(
        "a1", "unattributed", Source(None, "UNNAMED"), None, None, bad, Certainty(0.0, "possible")
    )
    assert "[/bold]" in render(analysis, width=400)


def test_it_reads_at_80_columns() -> None:
    shown = render(sample(), width=80)
    assert max(len(line) for line in shown.splitlines()) <= 80
    assert "Sergei Beseda" in shown


def test_shorten() -> None:
    assert shorten("a  b\n c", 10) == "a b c"
    cut = shorten("word " * 40, 30)
    assert len(cut) <= 30
    assert cut.endswith("…")
