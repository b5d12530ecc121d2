import pytest
from pydantic import SecretStr

from api.auth import Permission, Role, authenticate, authorize, parse_keys
from screening.errors import NotAuthenticatedError, NotPermittedError

SIGNUP = "signup-secret-0123456789"
ADMIN = "admin-secret-0123456789"
KEYS = parse_keys([SecretStr(f"signup:{SIGNUP}"), SecretStr(f"admin:{ADMIN}")])


def test_keys_map_to_roles():
    assert authenticate(KEYS, SIGNUP) is Role.SIGNUP
    assert authenticate(KEYS, ADMIN) is Role.ADMIN


@pytest.mark.parametrize("presented", [None, "", SIGNUP[:-1], SIGNUP + "x", ADMIN.upper()])
def test_anything_else_is_refused(presented: str | None):
    with pytest.raises(NotAuthenticatedError):
        authenticate(KEYS, presented)


@pytest.mark.parametrize(
    "value", ["no-role-separator", "boss:" + "x" * 20, "admin:short", "admin:"]
)
def test_malformed_key_settings_are_refused(value: str):
    with pytest.raises(ValueError, match=r"role|short|written"):
        parse_keys([SecretStr(value)])


def test_signup_role_may_only_screen():
    authorize(Role.SIGNUP, Permission.SCREEN)
    for permission in (Permission.SCREEN_BATCH, Permission.READ_LISTS, Permission.REFRESH_LISTS):
        with pytest.raises(NotPermittedError):
            authorize(Role.SIGNUP, permission)


def test_only_admins_refresh():
    authorize(Role.ADMIN, Permission.REFRESH_LISTS)
    with pytest.raises(NotPermittedError):
        authorize(Role.ANALYST, Permission.REFRESH_LISTS)
