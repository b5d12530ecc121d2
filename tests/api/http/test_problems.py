import screening.policy.config
import screening.policy.ownership
from api.http.problems import STATUS, slug, status_for
from screening import errors


def all_subclasses(cls: type) -> set[type]:
    found: set[type] = set(cls.__subclasses__())
    for sub in list(found):
        found |= all_subclasses(sub)
    return found


def test_every_error_class_of_the_core_has_a_status():
    unmapped = {c.__name__ for c in all_subclasses(errors.ScreeningError)} - {
        c.__name__ for c in STATUS
    }
    # Packages' own errors answer like the core class they refine.
    assert unmapped == {"OwnershipError", "PolicyError"}
    assert status_for(screening.policy.ownership.OwnershipError) == 422
    assert status_for(screening.policy.config.PolicyError) == 500


def test_slug_comes_from_the_class_name():
    assert slug(errors.UnknownSourceError) == "unknown-source"
    assert slug(errors.NotAuthenticatedError) == "not-authenticated"
