from api.http.problems import STATUS, slug
from screening import errors


def all_subclasses(cls: type) -> set[type]:
    found: set[type] = set(cls.__subclasses__())
    for sub in list(found):
        found |= all_subclasses(sub)
    return found


def test_every_error_class_has_a_status():
    unmapped = {c.__name__ for c in all_subclasses(errors.ScreeningError)} - {
        c.__name__ for c in STATUS
    }
    assert unmapped == set()


def test_slug_comes_from_the_class_name():
    assert slug(errors.UnknownSourceError) == "unknown-source"
    assert slug(errors.NotAuthenticatedError) == "not-authenticated"
