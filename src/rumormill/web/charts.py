"""Charts drawn on the server as inline SVG: they need no JavaScript and no chart library, and
the page's Content-Security-Policy allows them (colours come from classes in the stylesheet,
never from inline styles).  Every text put in a chart is escaped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from markupsafe import Markup, escape

LABELS = ("asserted", "probable", "possible", "doubted", "denied")


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def sparkline(counts: Mapping[date, int], *, width: int = 120, height: int = 24) -> Markup:
    """Mentions per day as a small line, every day from the first to the last (missing days
    are zero)."""
    if not counts:
        return Markup("")
    days = _days(min(counts), max(counts))
    top = max(counts.values()) or 1
    step = width / max(len(days) - 1, 1)
    points = " ".join(
        f"{k * step:.1f},{height - 2 - (height - 4) * counts.get(day, 0) / top:.1f}"
        for k, day in enumerate(days)
    )
    total = sum(counts.values())
    label = f"{total} mentions, {days[0].isoformat()} to {days[-1].isoformat()}"
    return Markup(
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(label)}"><title>{escape(label)}</title>'
        f'<polyline points="{points}"/></svg>'
    )


def timeline(
    by_day: Mapping[date, Mapping[str, int]],
    outlets: Mapping[date, int],
    *,
    width: int = 640,
    height: int = 160,
) -> Markup:
    """Mentions per day as bars stacked by certainty label, distinct outlets per day as dots;
    each bar has a tooltip with its counts."""
    if not by_day:
        return Markup('<p class="muted">No dated mentions.</p>')
    days = _days(min(by_day), max(by_day))
    totals = {d: sum(by_day.get(d, {}).values()) for d in days}
    top = max([*totals.values(), *outlets.values(), 1])
    pad, axis = 4, 18
    plot = height - axis - pad
    slot = (width - 2 * pad) / len(days)
    bar = min(max(slot * 0.7, 1.0), 36.0)  # a few days: slim bars, not slabs
    parts = [
        f'<svg class="timeline" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="mentions per day by certainty label, and outlets per day">'
    ]
    for k, day in enumerate(days):
        x = pad + k * slot + (slot - bar) / 2
        y = float(pad + plot)
        mix = by_day.get(day, {})
        tip = ", ".join(f"{label} {n}" for label, n in mix.items() if n)
        title = f"{day.isoformat()}: {totals[day]} mentions ({tip}), {outlets.get(day, 0)} outlets"
        parts.append(f"<g><title>{escape(title)}</title>")
        for label in (*LABELS, *sorted(set(mix) - set(LABELS))):
            n = mix.get(label, 0)
            if not n:
                continue
            h = plot * n / top
            y -= h
            parts.append(
                f'<rect class="c-{escape(label)}" x="{x:.1f}" y="{y:.1f}" '
                f'width="{bar:.1f}" height="{h:.1f}"/>'
            )
        parts.append("</g>")
        if outlets.get(day):
            cy = pad + plot - plot * outlets[day] / top
            parts.append(f'<circle class="outlets" cx="{x + bar / 2:.1f}" cy="{cy:.1f}" r="3"/>')
    for k in sorted({0, len(days) - 1}):
        x = pad + k * slot + slot / 2
        anchor = "start" if k == 0 else "end"
        parts.append(
            f'<text x="{x if k == 0 else width - pad:.1f}" y="{height - 4}" '
            f'text-anchor="{anchor}">{days[k].isoformat()}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def calibration(rows: Sequence[tuple[str, int, float | None, float | None]]) -> Markup:
    """Implied probability (x) against how often the claims came true (y), one dot per
    certainty label with resolved forecasts, and the diagonal of perfect calibration."""
    size, pad = 200, 24
    span = size - 2 * pad
    parts = [
        f'<svg class="calibration" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" role="img" aria-label="calibration plot">'
        f'<rect class="frame" x="{pad}" y="{pad}" width="{span}" height="{span}"/>'
        f'<line class="diagonal" x1="{pad}" y1="{size - pad}" x2="{size - pad}" y2="{pad}"/>'
        f'<text x="{pad}" y="{size - 6}">implied</text>'
        f'<text x="4" y="{pad - 8}">observed</text>'
    ]
    for label, n, implied, observed in rows:
        if not n or implied is None or observed is None:
            continue
        cx, cy = pad + span * implied, size - pad - span * observed
        title = f"{label}: {n} claims, implied {implied:.2f}, observed {observed:.2f}"
        parts.append(
            f'<circle class="c-{escape(label)}" cx="{cx:.1f}" cy="{cy:.1f}" r="5">'
            f"<title>{escape(title)}</title></circle>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
