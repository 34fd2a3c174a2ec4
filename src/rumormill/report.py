"""The readable report of one analysed article, as Rich renderables (the CLI prints them).

Article header; entities with their descriptors; every attribution; then, apart, the claims
carried by no source or by an unnamed one ("analysts", "reports"): that is where rumors live.
Every piece of article text goes in as `Text`, never as markup, so brackets in an article
cannot break or restyle the report.
"""

from __future__ import annotations

import re
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from rumormill.model import Analysis, Attribution, Entity

CONTENT_WIDTH = 90  # characters of content shown in the attribution table
FLAGGED_WIDTH = 240  # the flagged section shows more of each claim
_SPACE = re.compile(r"\s+")


def shorten(text: str, width: int) -> str:
    """One line of at most `width` characters, cut at a word with an ellipsis."""
    flat = _SPACE.sub(" ", text).strip()
    if len(flat) <= width:
        return flat
    cut = flat[: width - 1]
    if " " in cut[width // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:") + "…"


def source_label(a: Attribution) -> str:
    """Who says it, as a reader would name them."""
    if a.kind == "unattributed" or a.source.span is None:
        return "(no source)"
    if a.source.type == "UNNAMED":
        return f"{a.source.span.text} (unnamed)"
    return a.source.name or a.source.span.text


def certainty_label(a: Attribution) -> str:
    return f"{a.certainty.label} {a.certainty.score:+.1f}"


def is_flagged(a: Attribution) -> bool:
    """Unattributed or anonymously sourced: the claims a fact-checker looks at first."""
    return a.kind == "unattributed" or a.source.type == "UNNAMED"


def header(analysis: Analysis) -> Panel:
    a = analysis.article
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    rows = [
        ("published", a.published.isoformat() if a.published else "undated"),
        ("outlet", a.outlet or "-"),
        ("credit", a.credit or "-"),
        ("title", a.title or "-"),
        ("url", a.url or "-"),
        (
            "size",
            f"{len(a.text.split())} words, {len(analysis.sentences)} sentences, "
            f"{len(analysis.entities)} entities, {len(analysis.attributions)} attributions",
        ),
    ]
    for key, value in rows:
        grid.add_row(key, Text(value))
    return Panel(grid, title=Text(a.title or "Article", style="bold"), box=box.ROUNDED)


def entity_table(entities: list[Entity]) -> RenderableType:
    if not entities:
        return Text("No named entities.", style="dim")
    table = Table(title="Entities", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("name", no_wrap=True, style="bold")
    table.add_column("type")
    table.add_column("mentions", justify="right")
    table.add_column("descriptors", ratio=1)
    for e in entities:
        table.add_row(Text(e.name), e.type, str(len(e.mentions)), Text("; ".join(e.descriptors)))
    return table


def _who(a: Attribution) -> Text:
    """Source, then cue and channel on a second line: 'told · Sky News Australia'."""
    who = Text(source_label(a), style="bold red" if is_flagged(a) else "bold")
    how = " · ".join(s.text for s in (a.cue, a.channel) if s is not None)
    if how:
        who.append("\n" + how, style="italic")
    return who


def _how_sure(a: Attribution) -> Text:
    sure = Text(certainty_label(a))
    if a.certainty.cues:
        sure.append("\n" + ", ".join(a.certainty.cues), style="yellow")
    return sure


def attribution_table(attributions: list[Attribution]) -> RenderableType:
    """One row per attribution: id and kind; source, cue · channel; content; certainty and
    hedge cues.  Four columns, so that it reads at 80 characters too."""
    if not attributions:
        return Text("No attributions: nobody is reported as saying anything.", style="dim")
    table = Table(title="Attributions", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("id / kind", no_wrap=True)
    table.add_column("source / cue · channel", ratio=2)
    table.add_column("content", ratio=3)
    table.add_column("certainty / hedges", ratio=1, min_width=14)
    for a in attributions:
        table.add_row(
            f"{a.id}\n{a.kind}",
            _who(a),
            Text(shorten(a.content.text, CONTENT_WIDTH)),
            _how_sure(a),
        )
    return table


def flagged_section(attributions: list[Attribution]) -> RenderableType:
    """The claims carried by no source or an unnamed one, with more of their content."""
    flagged = [a for a in attributions if is_flagged(a)]
    title = Text("Unattributed and unnamed sources", style="bold red")
    if not flagged:
        body: RenderableType = Text("None: every claim has a named source.", style="dim")
        return Panel(body, title=title, box=box.ROUNDED)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    table.add_column("id", no_wrap=True)
    table.add_column("source / cue", ratio=1)
    table.add_column("claim", ratio=3)
    table.add_column("certainty / hedges", ratio=1, min_width=14)
    for a in flagged:
        table.add_row(a.id, _who(a), Text(shorten(a.content.text, FLAGGED_WIDTH)), _how_sure(a))
    return Panel(table, title=title, box=box.ROUNDED)


def build(analysis: Analysis) -> Group:
    """The whole report, ready for `Console.print`."""
    return Group(
        header(analysis),
        entity_table(analysis.entities),
        attribution_table(analysis.attributions),
        flagged_section(analysis.attributions),
    )


def ingest_summary(result: dict[str, Any], *, db: str) -> RenderableType:
    """The end-of-ingest report (`IngestReport.to_dict()`): counts, rejections by code, and
    the first rejections by name."""
    counts = Table(box=box.SIMPLE_HEAD, show_header=False, title=f"Ingested into {db}")
    counts.add_column("what")
    counts.add_column("n", justify="right")
    for key in ("read", "ingested", "revisions", "duplicates", "undated", "rejected"):
        counts.add_row(key.replace("_", " "), str(result[key]))
    parts: list[RenderableType] = [counts]
    if result["rejected_by_code"]:
        codes = Table(box=box.SIMPLE_HEAD, title="Rejected, by reason")
        codes.add_column("code")
        codes.add_column("n", justify="right")
        for code, n in result["rejected_by_code"].items():
            codes.add_row(code, str(n))
        parts.append(codes)
        named = Table(box=box.SIMPLE_HEAD, title="Rejections")
        named.add_column("input", overflow="fold")
        named.add_column("error", overflow="fold")
        for row in result["rejections"]:
            named.add_row(row["input"], row["error"])
        parts.append(named)
    return Group(*parts)


def _day(value: Any) -> str:
    return value.isoformat() if value is not None else "undated"


def story_table(rows: list[Any], *, title: str = "Top stories") -> Table:
    """`store.queries.StoryRow`s."""
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left")
    table.add_column("story", justify="right")
    table.add_column("articles", justify="right")
    table.add_column("outlets", justify="right")
    table.add_column("first – last")
    table.add_column("title", overflow="fold")
    for r in rows:
        span = _day(r.first) if r.first == r.last else f"{_day(r.first)} – {_day(r.last)}"
        table.add_row(str(r.story_id), str(r.articles), str(r.outlets), span, r.title)
    return table


def people_table(rows: list[Any], *, title: str = "Most-cited people") -> Table:
    """`store.queries.PersonRow`s."""
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left")
    table.add_column("name")
    table.add_column("attributions", justify="right")
    table.add_column("articles", justify="right")
    table.add_column("outlets", justify="right")
    for r in rows:
        table.add_row(r.name, str(r.attributions), str(r.articles), str(r.outlets))
    return table


def rumor_table(rows: list[Any], *, title: str = "Rumors") -> Table:
    """`store.queries.RumorRow`s: claims (or, in a store linked before claims, stories).
    Four columns, so that the example reads at 80 characters too."""
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left")
    table.add_column("claim / first – last", ratio=1, min_width=12)
    table.add_column("articles · outlets / per day", ratio=1, min_width=10)
    table.add_column("hedged / unnamed", justify="right", min_width=8)
    table.add_column("for example", ratio=3)
    for r in rows:
        span = _day(r.first) if r.first == r.last else f"{_day(r.first)} – {_day(r.last)}"
        table.add_row(
            f"{r.key}\n{span}",
            f"{r.articles} · {r.outlets}\n{r.growth:.2f} per day",
            f"{r.hedged_or_unnamed:.0%}",
            Text(shorten(r.example, 90)),
        )
    return table


def _mix(labels: dict[str, int]) -> str:
    """A certainty label mix as 'possible 3, asserted 1', most frequent first."""
    ordered = sorted(labels.items(), key=lambda kv: -kv[1])
    return ", ".join(f"{label} {n}" for label, n in ordered)


def claim_table(rows: list[Any], *, title: str = "Claims") -> Table:
    """`store.queries.ClaimRow`s: id; statement, with its sources below; articles, outlets
    and dates; certainty mix and the shares unnamed and hedged.  Four columns, so that it
    reads at 80 characters too."""
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left")
    table.add_column("claim", justify="right", no_wrap=True)
    table.add_column("statement / sources", ratio=3)
    table.add_column("articles · outlets / first – last", ratio=1, min_width=12)
    table.add_column("certainty / unnamed · hedged", ratio=1, min_width=14)
    for r in rows:
        statement = Text(shorten(r.statement, CONTENT_WIDTH))
        if r.sources:
            statement.append("\n" + "; ".join(r.sources), style="italic")
        span = _day(r.first) if r.first == r.last else f"{_day(r.first)} – {_day(r.last)}"
        table.add_row(
            str(r.claim_id),
            statement,
            f"{r.articles} · {r.outlets}\n{span}",
            f"{_mix(r.labels)}\n{r.unnamed:.0%} · {r.hedged:.0%}",
        )
    return table


def claim_detail(detail: Any) -> Group:
    """A `store.queries.ClaimDetail`: the statement and where it was first seen, mentions and
    outlets per day, every attribution, and the copies among its articles."""
    first = detail.first
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row("statement", Text(detail.statement))
    grid.add_row(
        "first seen",
        Text(f"{_day(first.published)}, {first.outlet or 'unknown outlet'} ({first.article_id})"),
    )
    grid.add_row(
        "size",
        f"{len(detail.mentions)} attributions, {detail.articles} articles, "
        f"{detail.outlets} outlets, {len(detail.copies)} copies",
    )
    parts: list[RenderableType] = [
        Panel(grid, title=Text(f"Claim {detail.claim_id}", style="bold"), box=box.ROUNDED)
    ]
    if detail.days:
        days = Table(box=box.SIMPLE_HEAD, title="Per day", title_justify="left")
        days.add_column("day")
        days.add_column("mentions", justify="right")
        days.add_column("outlets", justify="right")
        for d in detail.days:
            days.add_row(d.day.isoformat(), str(d.mentions), str(d.outlets))
        parts.append(days)
    mentions = Table(box=box.SIMPLE_HEAD, title="Attributions", title_justify="left")
    mentions.add_column("date / outlet")
    mentions.add_column("source / cue", ratio=1)
    mentions.add_column("content", ratio=3)
    mentions.add_column("certainty", min_width=14)
    for m in detail.mentions:
        who = Text(
            m.source or "(no source)",
            style="bold red" if m.source_type == "UNNAMED" or m.source is None else "bold",
        )
        if m.cue:
            who.append("\n" + m.cue, style="italic")
        where = Text(f"{_day(m.published)}\n{m.outlet or '-'}")
        if m.copy_of is not None:
            where.append(f"\ncopy of {m.copy_of}", style="dim")
        mentions.add_row(
            where,
            who,
            Text(shorten(m.content, CONTENT_WIDTH)),
            f"{m.certainty_label} {m.certainty_score:+.1f}",
        )
    parts.append(mentions)
    return Group(*parts)
