import pytest
from pydantic import SecretStr

from api.http.auth import Credential, KeyRing, Permission, Role, authorize, presented_key
from screening.errors import NotAuthenticatedError, NotPermittedError

SIGNUP = "signup-secret-0123456789"
ADMIN = "admin-secret-0123456789"
KEYS = KeyRing.from_settings([SecretStr(f"signup:{SIGNUP}"), SecretStr(f"admin:{ADMIN}")])


def test_keys_map_to_roles():
    assert KEYS.authenticate(SIGNUP).role is Role.SIGNUP
    assert KEYS.authenticate(ADMIN).role is Role.ADMIN
    assert KEYS.authenticate(SIGNUP).key_id != KEYS.authenticate(ADMIN).key_id


@pytest.mark.parametrize(
    "presented", [None, "", SIGNUP[:-1], SIGNUP + "x", ADMIN.upper(), "x" * 10_000]
)
def test_anything_else_is_refused(presented: str | None):
    with pytest.raises(NotAuthenticatedError):
        KEYS.authenticate(presented)


@pytest.mark.parametrize(
    "value", ["no-role-separator", "boss:" + "x" * 20, "admin:short", "admin:"]
)
def test_malformed_key_settings_are_refused(value: str):
    with pytest.raises(ValueError, match=r"role|short|written"):
        KeyRing.from_settings([SecretStr(value)])


def test_bearer_and_header_forms():
    assert presented_key(b"abc", None) == "abc"
    assert presented_key(None, b"Bearer abc") == "abc"
    assert presented_key(None, b"bearer  abc ") == "abc"
    assert presented_key(None, b"Basic abc") is None
    assert presented_key(None, None) is None


def test_signup_role_may_only_screen():
    signup = Credential(Role.SIGNUP, "k")
    authorize(signup, Permission.SCREEN)
    for permission in (Permission.SCREEN_BATCH, Permission.READ_LISTS, Permission.REFRESH_LISTS):
        with pytest.raises(NotPermittedError):
            authorize(signup, permission)


def test_only_admins_refresh():
    authorize(Credential(Role.ADMIN, "k"), Permission.REFRESH_LISTS)
    with pytest.raises(NotPermittedError):
        authorize(Credential(Role.ANALYST, "k"), Permission.REFRESH_LISTS)
