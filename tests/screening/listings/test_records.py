from screening.listings.records import (
    Address,
    EntityKind,
    Identifier,
    ListEntry,
    Name,
    NameStrength,
)


def make_entry(**overrides: object) -> ListEntry:
    values: dict[str, object] = {
        "source": "us_ofac_sdn",
        "source_key": "306",
        "kind": EntityKind.ORGANIZATION,
        "name": "BANCO NACIONAL DE CUBA",
        "lists": ("SDN",),
        "aliases": (Name("BNC", NameStrength.WEAK), Name("NATIONAL BANK OF CUBA")),
        "addresses": (Address(full="Zweierstrasse 35, Zurich", city="Zurich", country="CH"),),
        "identifiers": (Identifier("SWIFT/BIC", "BNCUCUHH", "CU"),),
        "party_key": "ofac:306",
    }
    values.update(overrides)
    return ListEntry(**values)  # type: ignore[arg-type]


def test_round_trip_through_json_form():
    entry = make_entry()
    assert ListEntry.from_dict(entry.to_dict()) == entry


def test_fingerprint_tracks_content():
    assert make_entry().fingerprint() == make_entry().fingerprint()
    assert make_entry().fingerprint() != make_entry(name="BANCO NACIONAL DE CUBA SA").fingerprint()


def test_key_prefers_the_cross_source_party_key():
    assert make_entry().key == "ofac:306"
    assert make_entry(party_key=None).key == "us_ofac_sdn:306"
