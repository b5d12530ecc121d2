"""Inline SVG drawn on the server: an ownership chain, and a list's size over time.

Every text is escaped here (the result is marked safe for the templates); each drawing has a
title and a text description for screen readers, and the pages show the same facts as text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape

NODE_W, NODE_H, GAP = 200, 54, 70
MAX_LABEL = 26
MAX_CHAINS = 6


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def chain_text(chain: Sequence[Mapping[str, Any]]) -> str:
    parts = [str(chain[0].get("owner_name", "?"))]
    for step in chain:
        unverified = "" if step.get("verified", True) else " (unverified)"
        parts.append(f"{step.get('percent', '?')}%{unverified} → {step.get('owned_name', '?')}")
    return " → ".join(parts)


def ownership_chains(
    chains: Sequence[Sequence[Mapping[str, Any]]], *, label: str, key: str
) -> Markup:
    """One row per chain, from the restricted owner (left, red) to the subject (right)."""
    rows = [list(c) for c in chains[:MAX_CHAINS] if c]
    if not rows:
        return Markup("")
    longest = max(len(r) for r in rows) + 1
    width = longest * NODE_W + (longest - 1) * GAP + 20
    height = len(rows) * (NODE_H + 30) + 10
    desc = "; ".join(chain_text(r) for r in rows)
    out = [
        f'<svg class="chain" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="t-{key} d-{key}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="t-{key}">{escape(label)}</title>',
        f'<desc id="d-{key}">{escape(desc)}</desc>',
        f'<defs><marker id="arrow-{key}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#333"/></marker></defs>',
    ]
    for number, chain in enumerate(rows):
        y = 10 + number * (NODE_H + 30)
        names = [str(chain[0].get("owner_name", "?"))] + [
            str(s.get("owned_name", "?")) for s in chain
        ]
        for position, name in enumerate(names):
            x = 10 + position * (NODE_W + GAP)
            root, subject = position == 0, position == len(names) - 1
            fill = "#fde2e1" if root else ("#e3ecfa" if subject else "#f4f4f4")
            stroke = "#b3261e" if root else ("#1f4e99" if subject else "#555")
            out.append(
                f'<g><title>{escape(name)}</title><rect x="{x}" y="{y}" width="{NODE_W}" '
                f'height="{NODE_H}" rx="6" fill="{fill}" stroke="{stroke}" stroke-width="2"/>'
                f'<text x="{x + NODE_W // 2}" y="{y + NODE_H // 2 + 5}" text-anchor="middle" '
                f'font-size="14" fill="#111">{escape(_short(name))}</text></g>'
            )
            if position < len(chain):
                step = chain[position]
                x1, x2 = x + NODE_W, x + NODE_W + GAP
                mid = y + NODE_H // 2
                dash = "" if step.get("verified", True) else ' stroke-dasharray="5,4"'
                out.append(
                    f'<line x1="{x1}" y1="{mid}" x2="{x2 - 2}" y2="{mid}" stroke="#333" '
                    f'stroke-width="2" marker-end="url(#arrow-{key})"{dash}/>'
                    f'<text x="{(x1 + x2) // 2}" y="{mid - 8}" text-anchor="middle" '
                    f'font-size="13" fill="#111">{escape(_percent(step.get("percent")))}</text>'
                )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text in it went through escape()


def _percent(value: object) -> str:
    if isinstance(value, int | float):
        return f"{value:g}%"
    return "?%"


def size_chart(points: Sequence[tuple[datetime, int]], *, label: str) -> Markup:
    """Record count per version, oldest left; a step line because a list changes at once."""
    if not points:
        return Markup("")
    width, height, left, bottom, top, right = 640, 200, 70, 30, 14, 16
    counts = [c for _, c in points]
    low, high = min(counts), max(counts)
    if high == low:
        low, high = max(0, low - 1), high + 1
    first, last = points[0][0].timestamp(), points[-1][0].timestamp()
    span = (last - first) or 1.0

    def x_of(moment: datetime) -> float:
        if len(points) == 1:
            return left + (width - left - right) / 2
        return left + (moment.timestamp() - first) / span * (width - left - right)

    def y_of(count: int) -> float:
        return top + (high - count) / (high - low) * (height - top - bottom)

    path: list[str] = []
    for number, (moment, count) in enumerate(points):
        x, y = x_of(moment), y_of(count)
        if number == 0:
            path.append(f"M{x:.1f},{y:.1f}")
        else:
            path.append(f"H{x:.1f} V{y:.1f}")
    desc = ", ".join(f"{m:%Y-%m-%d %H:%M}: {c} records" for m, c in points[-20:])
    out = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'role="img" aria-labelledby="size-title size-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="size-title">{escape(label)}</title><desc id="size-desc">{escape(desc)}</desc>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#555"/>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" '
        'stroke="#555"/>',
        f'<text x="{left - 6}" y="{top + 5}" text-anchor="end" font-size="12" fill="#111">'
        f"{high}</text>",
        f'<text x="{left - 6}" y="{height - bottom}" text-anchor="end" font-size="12" '
        f'fill="#111">{low}</text>',
        f'<text x="{left}" y="{height - 8}" font-size="12" fill="#111">'
        f"{points[0][0]:%Y-%m-%d}</text>",
        f'<text x="{width - right}" y="{height - 8}" text-anchor="end" font-size="12" '
        f'fill="#111">{points[-1][0]:%Y-%m-%d}</text>',
        f'<path d="{" ".join(path)}" fill="none" stroke="#1f4e99" stroke-width="2"/>',
    ]
    for moment, count in points:
        out.append(
            f'<circle cx="{x_of(moment):.1f}" cy="{y_of(count):.1f}" r="3.5" fill="#1f4e99">'
            f"<title>{escape(f'{moment:%Y-%m-%d %H:%M}: {count} records')}</title></circle>"
        )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text in it went through escape()
