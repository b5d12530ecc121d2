"""The inline drawings: escaped text, a title and description for screen readers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.web import svg


def test_an_ownership_chain_is_drawn_from_owner_to_subject_and_escaped() -> None:
    chain = [
        {"owner_name": "<b>Root</b> & Co", "owned_name": "Middle Ltd", "percent": 60},
        {"owner_name": "Middle Ltd", "owned_name": "Subject", "percent": 80.5, "verified": False},
    ]
    drawn = str(svg.ownership_chains([chain], label="OFAC 50% rule", key="r0"))
    assert "<b>" not in drawn
    assert "&lt;b&gt;Root&lt;/b&gt; &amp; Co" in drawn
    assert drawn.index("Root") < drawn.index("Middle Ltd") < drawn.rindex("Subject")
    assert "60%" in drawn
    assert "80.5%" in drawn
    assert 'stroke-dasharray="5,4"' in drawn  # the unverified holding
    assert 'aria-labelledby="t-r0 d-r0"' in drawn
    assert '<desc id="d-r0">&lt;b&gt;Root' in drawn
    assert str(svg.ownership_chains([], label="x", key="r1")) == ""


def test_a_size_chart_has_one_point_per_version() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    points = [(t0 + timedelta(days=d), count) for d, count in ((0, 100), (3, 120), (9, 90))]
    drawn = str(svg.size_chart(points, label="Records <per> version"))
    assert drawn.count("<circle") == 3
    assert "Records &lt;per&gt; version" in drawn
    assert "2026-01-01" in drawn
    assert "2026-01-10" in drawn
    single = str(svg.size_chart(points[:1], label="one"))
    assert single.count("<circle") == 1
