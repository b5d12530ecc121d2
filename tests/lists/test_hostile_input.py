"""Every parser, fed hostile bytes, either parses or raises ListParseError: never anything else
(a crash in a parser would otherwise surface as an internal error instead of a refused list)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lists import SOURCE_IDS, get_source
from screening.errors import ListParseError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lists"
# Raise for a longer hunt: SCREENING_FUZZ_EXAMPLES=5000 pytest tests/lists/test_hostile_input.py
MAX_EXAMPLES = int(os.environ.get("SCREENING_FUZZ_EXAMPLES", "100"))


def fixture_files(source_id: str) -> dict[str, bytes]:
    source = get_source(source_id)
    return {f.name: (FIXTURES / source_id / f.name).read_bytes() for f in source.files}


def parse_or_refuse(source: str, files: dict[str, bytes]) -> None:
    try:
        result = get_source(source).parse(files)
    except ListParseError as exc:
        refused: ListParseError | None = exc
    else:
        refused = None
    if refused is not None:
        assert refused.detail  # a refusal always says why
        return
    for entry in result.entries:
        assert entry.name.strip()
        assert entry.source == source


@pytest.mark.parametrize("source", SOURCE_IDS)
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2000))
def test_random_bytes(source: str, data: bytes):
    files = fixture_files(source)
    primary = get_source(source).files[0].name
    parse_or_refuse(source, {**files, primary: data})


@pytest.mark.parametrize("source", SOURCE_IDS)
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cut=st.floats(0, 1), flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=8)
)
def test_damaged_real_format(source: str, cut: float, flips: list[tuple[float, int]]):
    files = fixture_files(source)
    primary = get_source(source).files[0].name
    data = bytearray(files[primary][: max(1, int(len(files[primary]) * cut))])
    for where, value in flips:
        data[min(int(where * len(data)), len(data) - 1)] = value
    parse_or_refuse(source, {**files, primary: bytes(data)})
