"""Person or organisation? The CSL leaves `type` empty for every BIS and State row.

Treasury rows say Individual / Entity / Vessel / Aircraft and are taken at their word. For the
others the rules are deliberately few, so that a reviewer can predict the outcome:

1. `Address 1`, `Address 2`, ... (Entity List entries that list only a place) -> ADDRESS.
2. A date of birth, or a Gender id -> PERSON.
3. An Entity List affiliate (`X, Affiliated Entity: Parent`), or a legal-form or institution word
   in the name (Ltd, LLC, GmbH, Institute, Bureau, ...) -> ORGANIZATION.
4. The Unverified and Military End User lists name end users, which are organisations.
5. Otherwise, two to five plain name words (no digits, no `&`, `/`, `(`) -> PERSON; else ORG.
"""

from __future__ import annotations

import re

from screening.listings.records import EntityKind

TREASURY_TYPES: dict[str, EntityKind] = {
    "individual": EntityKind.PERSON,
    "entity": EntityKind.ORGANIZATION,
    "vessel": EntityKind.VESSEL,
    "aircraft": EntityKind.AIRCRAFT,
}

# Lists whose parties are end users (companies, institutes), never private individuals.
ORGANISATION_LISTS = frozenset({"MEU", "UVL"})

# Lower-case words; matched against the name's words with dots removed (`Co.` -> `co`).
ORGANISATION_WORDS = frozenset(
    """
    ab ag ao as bhd bv cia cjsc co company companies corp corporation cv doo fze fzco fzc gmbh
    inc incorporated jsc kft kg limited llc llp lp ltd ltda nv oao ojsc ooo oy pao pjsc plc pte
    pvt sa sal sarl sas sdn spa sro srl zao sirketi ticaret sanayi obshchestvo aktsionernoe
    academy administration agency army association authority bank brigade bureau center centre
    college commission committee corps council department directorate factory force forces
    foundation front fund guard institute institution laboratory lab ministry movement network
    office organization organisation party plant police regiment school service services society
    university union works zavod
    aerospace airline airlines associates aviation capital chemical chemicals communications
    components consulting development electronic electronics energy engineering enterprise
    enterprises equipment export exports express global group holding holdings import imports
    industrial industries industry instruments international investment investments logistics
    machinery manufacturing marine materials media petroleum pharma precision products project
    research resources scientific shipping solutions supply supplies systems tech technologies
    technology telecom trade trading transport ventures
    agencies air airways auto brothers com complex computer computers construction exporter
    exporters finance financial government hub importer importers makina marketing medical metal
    metals micro mining motors oil parts partners results shop software steel store stores system
    traders trust
    """.split()  # noqa: SIM905 (a word table reads better as text than as 200 quoted strings)
)

_ADDRESS_ONLY = re.compile(r"^address\s*\d*$", re.I)
_NAME_SUFFIX = re.compile(r",?\s+(?:jr|sr|ii|iii|iv)\.?$", re.I)
_PERSON_WORD = re.compile(r"^[^\W\d_]+(?:['’.\-][^\W\d_]*)*\.?$")


def has_organisation_word(name: str) -> bool:
    # Dots go before the lookup so that `S.A.`, `Co.` and `A.S.` meet their table entries.
    words = re.split(r"[\s,;:()/&\"-]+", name.replace(".", "").lower())
    return any(w in ORGANISATION_WORDS for w in words)


def looks_like_person(name: str) -> bool:
    bare = _NAME_SUFFIX.sub("", name.strip())
    words = bare.split()
    return 2 <= len(words) <= 5 and all(_PERSON_WORD.match(w) for w in words)


def infer_kind(
    name: str,
    list_code: str,
    treasury_type: str,
    *,
    has_birth_date: bool,
    has_gender: bool,
    is_affiliate: bool = False,
) -> EntityKind:
    if kind := TREASURY_TYPES.get(treasury_type.strip().lower()):
        return kind
    if _ADDRESS_ONLY.match(name.strip()):
        return EntityKind.ADDRESS
    if has_birth_date or has_gender:
        return EntityKind.PERSON
    if is_affiliate or has_organisation_word(name) or list_code in ORGANISATION_LISTS:
        return EntityKind.ORGANIZATION
    return EntityKind.PERSON if looks_like_person(name) else EntityKind.ORGANIZATION
