from screening.listings.diff import VersionDiff


def test_diff_splits_added_removed_changed():
    diff = VersionDiff.between({"1": "a", "2": "b", "3": "c"}, {"2": "b", "3": "X", "4": "d"})
    assert (diff.added, diff.removed, diff.changed) == (["4"], ["1"], ["3"])
    assert diff.to_dict()["counts"] == {"added": 1, "removed": 1, "changed": 1}
