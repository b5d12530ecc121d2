"""Public list sources: one module per source id, each exporting `SOURCE: ListSource`.

Modules are imported lazily by id so that a broken or slow-to-import source cannot stop the
others from refreshing, and so the registry stays an explicit, reviewable tuple.
"""

from __future__ import annotations

from importlib import import_module

from screening.errors import UnknownSourceError
from screening.listings.source import ListSource

SOURCE_IDS: tuple[str, ...] = (
    "us_trade_csl",
    "us_ofac_sdn",
    "us_ofac_cons",
    "un_sc_sanctions",
    "eu_fsf",
    "gb_fcdo_sanctions",
    "curated_ai_labs",
    "us_dod_1260h",
)


def get_source(source: str) -> ListSource:
    if source not in SOURCE_IDS:
        raise UnknownSourceError(
            f"unknown list source {source!r}; known: {', '.join(SOURCE_IDS)}", source=source
        )
    found: ListSource = import_module(f"lists.{source}").SOURCE
    return found


def all_sources() -> list[ListSource]:
    return [get_source(source) for source in SOURCE_IDS]
