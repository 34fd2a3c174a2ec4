"""The readable report of one analysed article, as Rich renderables (the CLI prints them).

Article header; entities with their descriptors; every attribution; then, apart, the claims
carried by no source or by an unnamed one ("analysts", "reports"): that is where rumors live.
Every piece of article text goes in as `Text`, never as markup, so brackets in an article
cannot break or restyle the report.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

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
    if result.get("suggested"):
        counts.add_row("suggested resolutions", str(result["suggested"]))
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
    """`store.queries.RumorRow`s: claims (or, in a store linked before claims, stories), the
    fastest-growing first: when first (and last) seen, how far it spread, how much of it rests
    on hedged or unnamed sourcing, and its statement; it reads at 80 characters too."""
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left")
    table.add_column("claim", justify="right", no_wrap=True)
    table.add_column("seen", width=10)
    table.add_column("articles · outlets", justify="right", width=9)
    table.add_column("hedged or unnamed", justify="right", width=9)
    table.add_column("statement", ratio=1)
    for r in rows:
        seen = _day(r.first) if r.first == r.last else f"{_day(r.first)}\n{_day(r.last)}"
        ident = str(r.claim_id) if r.claim_id is not None else r.key
        table.add_row(
            ident,
            seen,
            f"{r.articles} · {r.outlets}\n{r.growth:.1f} a day",
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


# --- `rumormill show`: one claim, story, article or entity ---------------------------------------

BAR_WIDTH = 30  # characters of the longest bar of a timeline
SPARK_WIDTH = 56  # characters of a sparkline at most (a character covers several days beyond)
WEEKLY_AFTER_DAYS = 60  # a timeline spanning more days has one row per week
ROWS_SHOWN = 30  # rows of a story's article list shown
_SPARKS = "▁▂▃▄▅▆▇█"
_EIGHTHS = " ▏▎▍▌▋▊▉"


def _bar(value: int, most: int, width: int = BAR_WIDTH) -> str:
    """A horizontal bar of `value` out of `most`, in eighths of a character."""
    if value <= 0 or most <= 0:
        return ""
    eighths = max(1, round(value / most * width * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


def sparkline(days: Sequence[Any], width: int = SPARK_WIDTH) -> tuple[str, int]:
    """`DayCount`s as a sparkline over every day from the first to the last (a day with none:
    a dot), and how many days one character covers (more than one when the span is wider than
    `width`)."""
    if not days:
        return "", 1
    first: date = days[0].day
    span = (days[-1].day - first).days + 1
    per = max(1, math.ceil(span / width))
    buckets = [0] * math.ceil(span / per)
    for d in days:
        buckets[(d.day - first).days // per] += d.mentions
    most = max(buckets)
    line = "".join(
        "·" if n == 0 else _SPARKS[min(len(_SPARKS) - 1, math.ceil(n / most * len(_SPARKS)) - 1)]
        for n in buckets
    )
    return line, per


def timeline(
    days: Sequence[Any], weeks: Sequence[Any], *, unit: str = "mentions", title: str = "Timeline"
) -> RenderableType:
    """`DayCount`s as a terminal timeline: a sparkline from the first day to the last, then one
    row per day (per week, from its Monday, when the span is over `WEEKLY_AFTER_DAYS` days)
    with the count, a bar and the number of distinct outlets."""
    if not days:
        return Text(f"{title}: no dated {unit}.", style="dim")
    span = (days[-1].day - days[0].day).days
    weekly = span > WEEKLY_AFTER_DAYS and bool(weeks)
    rows = weeks if weekly else days
    line, per = sparkline(days)
    spark = Text(f"{days[0].day.isoformat()} ")
    spark.append(line, style="cyan")
    spark.append(f" {days[-1].day.isoformat()}")
    total = sum(d.mentions for d in days)
    note = f"{total} {unit} on {counted(len(days), 'day')} over {counted(span + 1, 'day')}"
    if per > 1:
        note += f"; one mark is {per} days"
    table = Table(
        box=box.SIMPLE_HEAD,
        title=f"{title}, per {'week' if weekly else 'day'}",
        title_justify="left",
        caption=note,
        caption_justify="left",
    )
    table.add_column("week of" if weekly else "day", no_wrap=True)
    table.add_column(unit, justify="right")
    table.add_column("", ratio=1, no_wrap=True, overflow="crop", style="cyan")
    table.add_column("outlets", justify="right")
    most = max(r.mentions for r in rows)
    for r in rows:
        table.add_row(r.day.isoformat(), str(r.mentions), _bar(r.mentions, most), str(r.outlets))
    return Group(spark, table)


def counted(count: int, word: str) -> str:
    """'1 claim', '2 claims', '3 copies'."""
    if count == 1:
        return f"1 {word}"
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "o", "u"):
        return f"{count} {word[:-1]}ies"
    return f"{count} {word}s"


def _certainty(label: str, score: float) -> str:
    return f"{label} {score:+.1f}"


def sources_table(rows: Sequence[Any], *, title: str = "Sources") -> RenderableType:
    """`store.queries.SourceRow`s: who carries it, how often, and how sure they sound (the
    mean score, the most frequent label, and the mix)."""
    if not rows:
        return Text(f"{title}: none named.", style="dim")
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left")
    table.add_column("source / type", ratio=2)
    table.add_column("said · articles · outlets", ratio=1, min_width=9)
    table.add_column("certainty / mix", ratio=2, min_width=14)
    for r in rows:
        who = Text(r.name, style="bold red" if r.source_type == "UNNAMED" else "bold")
        who.append(f"\n{r.source_type.lower()}", style="dim")
        sure = Text(_certainty(r.certainty_label, r.certainty_score))
        if len(r.labels) > 1:
            sure.append("\n" + _mix(r.labels), style="dim")
        table.add_row(who, f"{r.attributions} · {r.articles} · {r.outlets}", sure)
    return table


def _where(published: Any, outlet: str | None, article_id: str) -> str:
    return f"{_day(published)}, {outlet or 'unknown outlet'} ({article_id})"


def copies_table(copies: dict[str, str], known: dict[str, Any]) -> RenderableType:
    """Which articles are copies of which: `copies` maps a copy's id to its original's;
    `known` maps article ids to what has `published` and `outlet` (a mention, an article)."""
    if not copies:
        return Text("Copies: none.", style="dim")
    table = Table(box=box.SIMPLE_HEAD, title="Copies", title_justify="left")
    table.add_column("copy", ratio=1)
    table.add_column("of the original", ratio=1)
    for copy, original in copies.items():
        cells = []
        for ident in (copy, original):
            seen = known.get(ident)
            cells.append(
                Text(_where(seen.published, seen.outlet, ident) if seen is not None else ident)
            )
        table.add_row(*cells)
    return table


def _panel(rows: Sequence[tuple[str, str | Text]], title: str) -> Panel:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for key, value in rows:
        grid.add_row(key, value if isinstance(value, Text) else Text(value))
    return Panel(grid, title=Text(title, style="bold"), box=box.ROUNDED)


def claim_detail(detail: Any) -> Group:
    """A `store.queries.ClaimDetail`: the statement and where it was first seen, a timeline of
    its mentions and outlets, its sources with their certainty, every attribution, and the
    copies among its articles."""
    first = detail.first
    header = _panel(
        [
            ("statement", detail.statement),
            ("first seen", _where(first.published, first.outlet, first.article_id)),
            (
                "size",
                f"{counted(len(detail.mentions), 'attribution')}, "
                f"{counted(detail.articles, 'article')}, "
                f"{counted(detail.outlets, 'outlet')}, {counted(len(detail.copies), 'copy')}",
            ),
        ],
        f"Claim {detail.claim_id}",
    )
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
            _certainty(m.certainty_label, m.certainty_score),
        )
    known = {m.article_id: m for m in detail.mentions}
    parts: list[RenderableType] = [
        header,
        timeline(detail.days, detail.weeks, unit="mentions"),
        sources_table(detail.sources),
        mentions,
        copies_table(detail.copies, known),
        resolution_line(getattr(detail, "resolution", None)),
    ]
    history = getattr(detail, "history", [])
    if history:
        parts.append(history_table(history))
    found = getattr(detail, "suggestions", [])
    if found:
        parts.append(suggestion_table(found, title="Suggested resolutions"))
    return Group(*parts)


_OUTCOME_STYLE = {"true": "green", "false": "red", "partly": "yellow", "unresolved": "dim"}


def resolution_line(current: Any) -> Text:
    """A claim's current resolution (`resolution.Resolution`), or that it has none."""
    if current is None:
        return Text("Resolution: none recorded.", style="dim")
    line = Text("Resolution: ", style="bold")
    line.append(current.outcome, style="bold " + _OUTCOME_STYLE.get(current.outcome, ""))
    line.append(f" on {_day(current.on)}")
    if current.by:
        line.append(f", recorded by {current.by}")
    line.append(f"; evidence: {current.evidence or '-'}")
    return line


def history_table(events: Sequence[Any], *, title: str = "Resolution history") -> Table:
    """`resolution.ResolutionEvent`s, oldest first."""
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left")
    table.add_column("event", justify="right", no_wrap=True)
    table.add_column("claim", justify="right", no_wrap=True)
    table.add_column("change", min_width=10)
    table.add_column("date", no_wrap=True)
    table.add_column("evidence", ratio=3)
    table.add_column("recorded", ratio=1)
    for e in events:
        if e.action == "undo":
            change = Text(f"undo of {e.undoes}", style="italic")
        else:
            change = Text(str(e.outcome), style=_OUTCOME_STYLE.get(str(e.outcome), ""))
            if e.undone_by is not None:
                change.append(f"\nundone by {e.undone_by}", style="dim")
        recorded = e.recorded_at.strftime("%Y-%m-%d %H:%M") + (f"\n{e.by}" if e.by else "")
        if e.suggestion_id is not None:
            recorded += f"\nsuggestion {e.suggestion_id}"
        table.add_row(
            str(e.id),
            str(e.claim_id),
            change,
            _day(e.on) if e.on is not None else "",
            Text(shorten(e.evidence or "", CONTENT_WIDTH)),
            recorded,
        )
    return table


def resolutions_table(rows: Sequence[Any], *, title: str = "Resolutions") -> RenderableType:
    """Current resolutions (`resolution.Resolution`), latest first."""
    if not rows:
        return Text(f"{title}: none recorded.", style="dim")
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left")
    table.add_column("claim", justify="right", no_wrap=True)
    table.add_column("outcome", no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("evidence", ratio=3)
    table.add_column("by", ratio=1)
    for r in rows:
        table.add_row(
            str(r.claim_id),
            Text(r.outcome, style=_OUTCOME_STYLE.get(r.outcome, "")),
            _day(r.on),
            Text(shorten(r.evidence or "", CONTENT_WIDTH)),
            r.by or "",
        )
    return table


def suggestion_table(
    rows: Sequence[Any], *, title: str = "Suggested resolutions (pending)"
) -> RenderableType:
    """`suggestions.Suggestion`s: what the rule found, on which evidence, and its status."""
    if not rows:
        return Text(f"{title}: none.", style="dim")
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left")
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("claim", justify="right", no_wrap=True)
    table.add_column("outcome / rule", no_wrap=True)
    table.add_column("evidence", ratio=1)
    table.add_column("reason", ratio=3)
    for r in rows:
        outcome = Text(r.outcome, style="bold " + _OUTCOME_STYLE.get(r.outcome, ""))
        outcome.append(f"\n{r.rule}", style="dim")
        if r.status != "pending":
            outcome.append(f"\n{r.status}", style="italic")
        table.add_row(
            str(r.id),
            str(r.claim_id),
            outcome,
            Text(f"{_day(r.published)}\n{r.article_id} {r.attribution_id}"),
            Text(shorten(r.reason, FLAGGED_WIDTH)),
        )
    return table


def _score(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def calibration_table(record: Any, *, title: str = "Calibration") -> Table:
    """A `trackrecord.TrackRecord`'s calibration: per label, how many, the probability it
    implied, and how often the claims were true."""
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left")
    table.add_column("sounded")
    table.add_column("n", justify="right")
    table.add_column("implied", justify="right")
    table.add_column("observed", justify="right")
    for row in record.calibration:
        table.add_row(row.label, str(row.n), _score(row.implied, 2), _score(row.observed, 2))
    return table


def _counts(record: Any) -> str:
    return ", ".join(f"{k} {n}" for k, n in record.counts.items() if n) or "none"


def record_panel(record: Any, *, title: str = "Track record") -> Group:
    """One source's `trackrecord.TrackRecord`: counts, Brier and skill, and calibration."""
    rows: list[tuple[str, str | Text]] = [
        ("resolved", f"{record.resolved} ({_counts(record)})"),
        ("Brier", f"{_score(record.brier)} (constant {record.base_rate}: "
         f"{_score(record.reference_brier)}; skill {_score(record.skill)})"),
    ]  # fmt: skip
    return Group(_panel(rows, title), calibration_table(record))


def records_table(
    rows: Sequence[Any], *, calibration: bool = False, title: str = "Track records"
) -> RenderableType:
    """`store.queries.RecordRow`s: each source's and outlet's resolved claims, how they
    resolved, its Brier score and skill (and with `calibration`, a table per row)."""
    if not rows:
        return Text(f"{title}: no source or outlet with resolved claims.", style="dim")
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left")
    table.add_column("source / outlet", ratio=2)
    table.add_column("resolved", justify="right")
    table.add_column("outcomes", ratio=1)
    table.add_column("Brier", justify="right")
    table.add_column("skill", justify="right")
    for r in rows:
        who = Text(r.name, style="bold")
        ident = f"entity {r.corpus_id}" if r.corpus_id is not None else ""
        kind = r.kind if r.kind == "outlet" else (r.source_type or "source").lower()
        who.append(f"\n{kind}{' · ' + ident if ident else ''}", style="dim")
        table.add_row(
            who,
            str(r.record.resolved),
            _counts(r.record),
            _score(r.record.brier),
            _score(r.record.skill),
        )
    if not calibration:
        return table
    return Group(
        table, *(calibration_table(r.record, title=f"Calibration: {r.name}") for r in rows)
    )


def _span(first: Any, last: Any) -> str:
    return _day(first) if first == last else f"{_day(first)} – {_day(last)}"


def story_detail(detail: Any) -> Group:
    """A `store.queries.StoryDetail`: title and first-seen article, a timeline of its articles
    and outlets, its articles, its top claims, its most-cited sources (with their certainty)
    and most-named entities, and the copies among its articles."""
    first = detail.first
    start, end = detail.span
    header = _panel(
        [
            ("title", detail.title or "-"),
            ("first seen", _where(first.published, first.outlet, first.article_id)),
            ("span", _span(start, end)),
            (
                "size",
                f"{counted(len(detail.articles), 'article')}, {counted(detail.outlets, 'outlet')}, "
                f"{counted(detail.n_claims, 'claim')}, {counted(len(detail.copies), 'copy')}",
            ),
        ],
        f"Story {detail.story_id}",
    )
    articles = Table(box=box.SIMPLE_HEAD, title="Articles", title_justify="left")
    articles.add_column("date / outlet", ratio=1, min_width=12)
    articles.add_column("title / id", ratio=3)
    for a in detail.articles[:ROWS_SHOWN]:
        title = Text(shorten(a.title, CONTENT_WIDTH))
        title.append(f"\n{a.article_id}", style="dim")
        if a.copy_of is not None:
            title.append(f" copy of {a.copy_of}", style="dim")
        articles.add_row(f"{_day(a.published)}\n{a.outlet or '-'}", title)
    if len(detail.articles) > ROWS_SHOWN:
        articles.caption = f"and {len(detail.articles) - ROWS_SHOWN} more (--json lists them all)"
    parts: list[RenderableType] = [
        header,
        timeline(detail.days, detail.weeks, unit="articles"),
        articles,
    ]
    if detail.claims:
        shown = f"Top claims ({len(detail.claims)} of {detail.n_claims})"
        parts.append(claim_table(detail.claims, title=shown))
    parts.append(sources_table(detail.sources, title="Most-cited sources"))
    parts.append(entity_counts(detail.entities))
    parts.append(copies_table(detail.copies, {a.article_id: a for a in detail.articles}))
    return Group(*parts)


def entity_counts(rows: Sequence[Any], *, title: str = "Most-named entities") -> RenderableType:
    """`store.queries.EntityCount`s."""
    if not rows:
        return Text(f"{title}: none.", style="dim")
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left")
    table.add_column("entity", ratio=2)
    table.add_column("type")
    table.add_column("id", justify="right")
    table.add_column("articles", justify="right")
    table.add_column("mentions", justify="right")
    for e in rows:
        ident = str(e.corpus_id) if e.corpus_id is not None else "-"
        table.add_row(Text(e.name), e.type, ident, str(e.articles), str(e.mentions))
    return table


def article_detail(detail: Any) -> Group:
    """A `store.queries.ArticleDetail`: its metadata, story and copies; its entities (with
    their corpus ids); its attributions with their certainty and claims."""
    rows: list[tuple[str, str | Text]] = [
        ("id", detail.article_id),
        ("published", f"{_day(detail.published)} ({detail.date_source or 'no date source'})"),
        ("outlet", detail.outlet or detail.outlet_name or "-"),
    ]
    if detail.credit:
        rows.append(("credit", detail.credit))
    rows.append(("url", Text(detail.url or "-", overflow="fold")))
    rows.append(
        (
            "size",
            f"{counted(detail.words, 'word')}, {counted(len(detail.entities), 'entity')}, "
            f"{counted(len(detail.attributions), 'attribution')}",
        )
    )
    story = detail.story
    if story is not None:
        rows.append(
            (
                "story",
                f"{story.story_id}: {counted(story.articles, 'article')}, "
                f"{counted(story.outlets, 'outlet')}, "
                f"{_span(story.first, story.last)}",
            )
        )
    if detail.copy_of is not None:
        o = detail.copy_of
        rows.append(("copy of", _where(o.published, o.outlet, o.article_id)))
    if detail.revision_of is not None:
        rows.append(("revises", detail.revision_of))
    if detail.copies:
        rows.append(("copies", f"{len(detail.copies)} (below)"))
    rows.append(("lead", shorten(detail.text, FLAGGED_WIDTH)))
    parts: list[RenderableType] = [_panel(rows, detail.title or "Article")]
    if detail.entities:
        entities = Table(box=box.SIMPLE_HEAD, title="Entities", title_justify="left")
        entities.add_column("name / descriptors", ratio=3)
        entities.add_column("type")
        entities.add_column("mentions", justify="right")
        entities.add_column("corpus id", justify="right")
        for e in detail.entities:
            name = Text(e.name, style="bold")
            if e.descriptors:
                name.append("\n" + "; ".join(e.descriptors), style="italic")
            ident = str(e.corpus_id) if e.corpus_id is not None else "-"
            entities.add_row(name, e.type, str(e.mentions), ident)
        parts.append(entities)
    else:
        parts.append(Text("No named entities.", style="dim"))
    if detail.attributions:
        said = Table(box=box.SIMPLE_HEAD, title="Attributions", title_justify="left")
        said.add_column("id / claim", no_wrap=True)
        said.add_column("source / cue", ratio=1)
        said.add_column("content", ratio=3)
        said.add_column("certainty", ratio=1, min_width=14)
        for a in detail.attributions:
            flagged = a.source is None or a.source_type == "UNNAMED"
            who = Text(a.source or "(no source)", style="bold red" if flagged else "bold")
            how = " · ".join(x for x in (a.cue, a.channel) if x)
            if how:
                who.append("\n" + how, style="italic")
            sure = Text(_certainty(a.certainty_label, a.certainty_score))
            if a.certainty_cues:
                sure.append("\n" + ", ".join(a.certainty_cues), style="yellow")
            claim = f"claim {a.claim_id}" if a.claim_id is not None else "no claim"
            said.add_row(
                f"{a.attribution_id}\n{claim}", who, Text(shorten(a.content, CONTENT_WIDTH)), sure
            )
        parts.append(said)
    else:
        parts.append(Text("No attributions.", style="dim"))
    if detail.copies:
        copies = {c.article_id: detail.article_id for c in detail.copies}
        known = {c.article_id: c for c in detail.copies}
        known[detail.article_id] = detail
        parts.append(copies_table(copies, known))
    return Group(*parts)


def entity_detail(detail: Any) -> Group:
    """A `store.queries.EntityDetail`: its names, dates and first article; its roles; a
    timeline of its mentions and outlets; the claims it makes as a source, with their
    certainty; the claims about it."""
    e = detail.entity
    rows: list[tuple[str, str | Text]] = [
        ("id", f"{e.id} ({e.type})"),
        (
            "seen",
            f"{_span(e.first_seen, e.last_seen)}: {counted(e.articles, 'article')}, "
            f"{counted(e.mentions, 'mention')}",
        ),
    ]
    others = [f"{name} ({n})" for name, n in e.names if name != e.name]
    if others:
        rows.append(("also named", "; ".join(others)))
    if detail.first is not None:
        f = detail.first
        rows.append(("first seen", _where(f.published, f.outlet, f.article_id)))
    rows.append(("says", counted(detail.n_said, "claim")))
    parts: list[RenderableType] = [_panel(rows, e.name)]
    if e.roles:
        roles = Table(box=box.SIMPLE_HEAD, title="Roles", title_justify="left")
        roles.add_column("role", ratio=3)
        roles.add_column("first – last", ratio=1, min_width=10)
        roles.add_column("articles", justify="right")
        for r in e.roles:
            roles.add_row(Text(r.text), _span(r.first_seen, r.last_seen), str(r.articles))
        parts.append(roles)
    parts.append(timeline(detail.days, detail.weeks, unit="mentions"))
    if detail.said:
        said = Table(
            box=box.SIMPLE_HEAD,
            title=f"Claims it makes ({len(detail.said)} of {detail.n_said})",
            title_justify="left",
        )
        said.add_column("claim", justify="right", no_wrap=True)
        said.add_column("first said / outlet", ratio=1, min_width=10)
        said.add_column("content", ratio=3)
        said.add_column("certainty / times", ratio=1, min_width=14)
        for s in detail.said:
            said.add_row(
                str(s.claim_id),
                f"{_day(s.first)}\n{s.outlet or '-'}",
                Text(shorten(s.content, CONTENT_WIDTH)),
                f"{_certainty(s.certainty_label, s.certainty_score)}\n"
                f"{s.attributions} in {s.articles} articles",
            )
        parts.append(said)
    else:
        parts.append(Text("Claims it makes: none found.", style="dim"))
    if detail.about:
        parts.append(claim_table(detail.about, title="Claims in articles naming it"))
    record = getattr(detail, "record", None)
    if record is not None:
        parts.append(record_panel(record, title=f"Track record of {e.name}"))
    else:
        parts.append(Text("Track record: none of its claims is resolved.", style="dim"))
    return Group(*parts)


def entity_choices(entities: Sequence[Any], *, title: str = "Entities by that name") -> Table:
    """`store.StoredEntity` summaries, for a name that names several."""
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left")
    table.add_column("id", justify="right")
    table.add_column("name", ratio=1)
    table.add_column("type")
    table.add_column("articles", justify="right")
    table.add_column("first – last")
    for e in entities:
        table.add_row(
            str(e.id), Text(e.name), e.type, str(e.articles), _span(e.first_seen, e.last_seen)
        )
    return table


# --- `rumormill show claim ID --provenance`: how a claim travelled -------------------------------

_RELAYED = {
    "quotes": "quoted by",
    "cites": "cited by",
    "copies": "copied by",
    "translates": "translated by",
}
_KINDS = {"source": "source", "unnamed": "unnamed", "outlet": "outlet", "article": "own reporting"}


class _Step:
    """One node of the tree of traces, from an origin down to the articles relaying it."""

    def __init__(self, node: str) -> None:
        self.node = node
        self.children: dict[str, _Step] = {}
        self.first = 0  # traces ending here that counted their origin
        self.echoes = 0  # traces ending here that echo it


def _node_text(graph: Any, node: str) -> Text:
    attrs = graph.nodes[node]
    kind = attrs.get("kind", "")
    if kind == "article":
        text = Text(f"{attrs.get('date') or 'undated'} ", style="cyan")
        text.append(str(attrs.get("outlet") or "unknown outlet"), style="bold")
        text.append(f" ({attrs.get('article_id', node)})", style="dim")
        return text
    if kind == "source":
        text = Text(str(attrs.get("label", node)), style="bold")
        text.append(f" ({str(attrs.get('source_type', 'source')).lower()})", style="dim")
        return text
    if kind == "unnamed":
        return Text(str(attrs.get("label", node)), style="bold red")
    return Text(str(attrs.get("label", node)), style="bold") + Text(" (outlet)", style="dim")


def _marks(step: _Step) -> Text:
    marks = Text()
    if step.first:
        marks.append("  first", style="green")
    if step.echoes:
        marks.append(f"  echo ×{step.echoes}" if step.echoes > 1 else "  echo", style="yellow")
    return marks


def _grow(tree: Tree, step: _Step, graph: Any) -> None:
    """Add `step`'s children under `tree`: an outlet reached through its own article is left
    out (its citers hang from the article); copies with nothing below them share one line."""
    children: list[tuple[str, _Step]] = []
    for child in step.children.values():
        edge = graph.get_edge_data(child.node, step.node) or {}
        kind = str(edge.get("kind", "cites"))
        if kind == "publishes":
            through = f"through {graph.nodes[child.node]['label']}:"
            for grandchild in child.children.values():
                edge = graph.get_edge_data(grandchild.node, child.node) or {}
                relayed = _RELAYED.get(str(edge.get("kind", "cites")), "cited by")
                children.append((f"{relayed}, {through}", grandchild))
        else:
            children.append((_RELAYED.get(kind, kind) + ":", child))
    copies = [c for label, c in children if label == "copied by:" and not c.children]
    for label, child in children:
        if child in copies and len(copies) > 1:
            continue
        line = Text(label + " ", style="italic dim") + _node_text(graph, child.node)
        line.append_text(_marks(child))
        _grow(tree.add(line), child, graph)
    if len(copies) > 1:
        line = Text(f"copied by {len(copies)}:", style="italic dim")
        group = tree.add(line)
        for child in copies:
            group.add(_node_text(graph, child.node) + _marks(child))


def _denial(graph: Any, trace: Any) -> str:
    """A denial of the claim: its article and whom it reaches ("2022-05-12 Reuters: Dmitry
    Peskov")."""
    article = str(graph.nodes[trace.path[0]]["label"])
    end = trace.path[-1]
    return article if end == trace.path[0] else f"{article}: {graph.nodes[end]['label']}"


def provenance_tree(found: Any) -> Group:
    """A `provenance.Provenance`: the counts (mentions, independent origins, echoes), the
    denials (traced apart: a denial carries no claim), then one tree per origin, from the
    origin down through the outlets and articles that relayed it, each article marked `first`
    (the mention that counted the origin) or `echo`."""
    graph = found.graph
    roots: list[_Step] = []
    for k, origin in enumerate(found.origins):
        root = _Step(origin.node)
        roots.append(root)
        for trace in found.traces:
            if trace.origin != k:
                continue
            nodes = list(reversed(trace.path))
            if nodes[0] != origin.node:
                nodes.insert(0, origin.node)  # a cycle closed at an outlet on the path
            step = root
            for node in nodes[1:]:
                step = step.children.setdefault(node, _Step(node))
            if trace.echo:
                step.echoes += 1
            else:
                step.first += 1
    header = _panel(
        [
            ("statement", shorten(found.statement, FLAGGED_WIDTH)),
            (
                "origins",
                f"{counted(found.independent_origins, 'independent origin')}, "
                f"{found.echoes} echo{'' if found.echoes == 1 else 'es'} "
                f"of {counted(found.mentions, 'mention')}",
            ),
            *(
                [("denials", ", ".join(_denial(graph, t) for t in found.denials))]
                if found.denials
                else []
            ),
        ],
        f"Claim {found.claim_id}: provenance",
    )
    trees: list[RenderableType] = []
    for k, (origin, root) in enumerate(zip(found.origins, roots, strict=True), start=1):
        label = Text(f"origin {k}: ", style="bold green") + _node_text(graph, origin.node)
        label.append(f"  {_KINDS.get(origin.kind, origin.kind)}", style="green")
        if origin.via_label is not None and origin.via is not None:
            via = graph.nodes[origin.via]
            if via.get("kind") == "outlet":
                label.append(f", via {origin.via_label}", style="green")
        first = f"  first {_day(origin.first)}, {counted(origin.mentions, 'mention')}"
        label.append(first, style="dim")
        tree = Tree(label, guide_style="dim")
        _grow(tree, root, graph)
        trees.append(tree)
    if not trees:
        trees.append(Text("No mentions.", style="dim"))
    return Group(header, *trees)
