"""Signing in and out: sessions in hardened cookies, CSRF on every form, lockout, and keys and
sessions kept apart."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.http.app import create_app
from screening.people import users
from tests.api.conftest import auth
from tests.api.web.conftest import PASSWORDS, post_form, second_browser, sign_in, token_of


def test_the_service_root_leads_to_the_sign_in_page(web: TestClient) -> None:
    assert web.get("/").headers["location"] == "/ui/"
    answer = web.get("/ui/")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ui/signin?next=/ui/"
    page = web.get("/ui/signin")
    assert 'name="username"' in page.text
    assert 'name="password"' in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_the_landing_page_links_to_every_page(web: TestClient) -> None:
    home = sign_in(web, "alice").get("/ui/")
    assert home.status_code == 200
    for path in (
        "/ui/screen",
        "/ui/review",
        "/ui/customers",
        "/ui/lists",
        "/ui/batch",
        "/ui/audit",
    ):
        assert f'href="{path}"' in home.text
    assert "Signed in as <strong>alice</strong>" in home.text


def test_an_api_key_never_opens_a_page(web: TestClient) -> None:
    for role in ("signup", "analyst", "admin"):
        answer = web.get("/ui/", headers=auth(role))
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/ui/signin")


def test_a_browser_session_never_calls_the_api(web: TestClient) -> None:
    sign_in(web, "root")
    assert web.post("/v1/screen", json={"name": "Apple"}).status_code == 401
    assert web.get("/v1/alerts").status_code == 401


def test_cookies_are_secure_httponly_samesite(web_settings, labs_loaded, people) -> None:
    secure = web_settings.model_copy(update={"web_secure_cookies": True})
    with TestClient(
        create_app(secure, start_background=False),
        base_url="https://testserver",
        follow_redirects=False,
    ) as client:
        form = client.get("/ui/signin")
        signin_cookie = form.headers["set-cookie"]
        assert signin_cookie.startswith("__Host-rps_signin=")
        answer = client.post(
            "/ui/signin",
            data={
                "username": "alice",
                "password": PASSWORDS["alice"],
                "csrf_token": token_of(form.text),
            },
        )
        assert answer.status_code == 303
        cookie = next(
            c for c in answer.headers.get_list("set-cookie") if c.startswith("__Host-rps_session=")
        )
        lowered = cookie.lower()
        for attribute in ("secure", "httponly", "samesite=lax", "path=/"):
            assert attribute in lowered, cookie
        assert "domain=" not in lowered
        assert client.get("/ui/").status_code == 200


def test_sign_in_needs_its_form_token(web: TestClient) -> None:
    web.get("/ui/signin")
    answer = web.post(
        "/ui/signin",
        data={"username": "alice", "password": PASSWORDS["alice"], "csrf_token": "forged"},
    )
    assert answer.status_code == 400
    assert "rps_session" not in answer.headers.get("set-cookie", "")


def test_a_wrong_password_says_nothing_about_the_account(web: TestClient) -> None:
    texts = []
    for name in ("alice", "nobody-here"):
        page = web.get("/ui/signin")
        answer = web.post(
            "/ui/signin",
            data={
                "username": name,
                "password": "wrong password!",
                "csrf_token": token_of(page.text),
            },
        )
        assert answer.status_code == 401
        texts.append(answer.text.split('role="alert">')[1].split("<")[0])
    assert texts[0] == texts[1]


def test_repeated_failures_lock_the_account(web: TestClient, sessions) -> None:
    for _ in range(5):
        page = web.get("/ui/signin")
        web.post(
            "/ui/signin",
            data={
                "username": "bob",
                "password": "not bob's password",
                "csrf_token": token_of(page.text),
            },
        )
    page = web.get("/ui/signin")
    locked = web.post(
        "/ui/signin",
        data={"username": "bob", "password": PASSWORDS["bob"], "csrf_token": token_of(page.text)},
    )
    assert locked.status_code == 401  # the right password no longer opens it
    with sessions.begin() as session:
        users.unlock(session, "bob")
    sign_in(web, "bob")
    assert web.get("/ui/").status_code == 200


def test_every_form_needs_this_sessions_token(web: TestClient) -> None:
    sign_in(web, "alice")
    assert web.post("/ui/screen", data={"name": "Apple"}).status_code == 403
    other = sign_in(second_browser(web), "bob")
    foreign = token_of(other.get("/ui/screen").text)
    refused = web.post("/ui/screen", data={"name": "Apple", "csrf_token": foreign})
    assert refused.status_code == 403
    assert web.post("/ui/signout", data={}).status_code == 403


def test_sign_out_ends_the_session_for_good(web: TestClient) -> None:
    sign_in(web, "alice")
    cookie = web.cookies.get("rps_session")
    assert cookie
    out = post_form(web, "/ui/", "/ui/signout", {})
    assert out.status_code == 303
    replayed = second_browser(web)
    replayed.cookies.set("rps_session", cookie)
    assert replayed.get("/ui/").status_code == 303  # the old cookie opens nothing


def test_a_disabled_user_is_signed_out_at_once(web: TestClient, sessions) -> None:
    sign_in(web, "alice")
    with sessions.begin() as session:
        users.disable(session, "alice")
    assert web.get("/ui/").status_code == 303


def test_after_sign_in_only_our_own_pages(web: TestClient) -> None:
    page = web.get("/ui/signin?next=https://evil.example/")
    answer = web.post(
        "/ui/signin",
        data={
            "username": "alice",
            "password": PASSWORDS["alice"],
            "csrf_token": token_of(page.text),
            "next": "//evil.example/",
        },
    )
    assert answer.headers["location"] == "/ui/"


def test_unknown_pages_need_a_session_too(web: TestClient) -> None:
    assert web.get("/ui/secret-admin").status_code == 303
    sign_in(web, "alice")
    missing = web.get("/ui/secret-admin")
    assert missing.status_code == 404
    assert "text/html" in missing.headers["content-type"]


def test_the_pages_are_not_in_the_api_document(web: TestClient) -> None:
    paths = web.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p == "/" or p.startswith("/ui")]
