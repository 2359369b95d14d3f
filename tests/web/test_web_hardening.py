"""Issue 16, over real HTTP: atomic login limits that don't lock the owner out, sign-up throttle,
password rules, bounded bodies, proxy trust, no 500s (with a hypothesis fuzz over the API), and
the smaller items (calendar address revoked with the password, Allow on 405, strict numbers)."""

from __future__ import annotations

import json
import re
import socket
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Live, start_server
from pgdb import pg_database

API = "/api/v1"
STRONG = "granite otter lantern 42"


def start_proxied(db_url: str) -> tuple[Any, threading.Thread, str]:
    """The app under uvicorn trusting X-Forwarded-For from 127.0.0.1 (the test client is the
    proxy): each request can come from its own client address, as behind a real proxy."""
    return start_server(db_url, proxy_headers=True, forwarded_allow_ips="127.0.0.1")


@pytest.fixture(params=["sqlite", "postgresql"])
def proxied(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Live]:
    if request.param == "sqlite":
        db = f"sqlite:///{tmp_path / 'p.sqlite3'}"
        server, thread, url = start_proxied(db)
        yield Live(url, db)
        server.should_exit = True
        thread.join(10)
        return
    with pg_database("triplane_hard") as db:
        server, thread, url = start_proxied(db)
        yield Live(url, db)
        server.should_exit = True
        thread.join(10)
        from triplane.store.db import make_engine

        make_engine(db).dispose()


def frm(ip: str) -> dict[str, str]:
    return {"X-Forwarded-For": ip}


def signup(c: httpx.Client, ip: str, **extra: Any) -> httpx.Response:
    body = {"email": f"u{uuid.uuid4().hex[:8]}@example.org", "password": STRONG, "name": "Kim"}
    body.update(extra)
    return c.post(f"{API}/auth/signup", json=body, headers=frm(ip))


def token(c: httpx.Client, email: str, password: str, ip: str) -> int:
    r = c.post(f"{API}/auth/token", json={"email": email, "password": password}, headers=frm(ip))
    return r.status_code


# ---- 4. login limits ----------------------------------------------------------------------------


def test_fifty_parallel_wrong_passwords_evaluate_at_most_five(proxied: Live) -> None:
    with proxied.client() as c:
        email = signup(c, "10.1.0.1").json()["email"]

    def guess(i: int) -> int:
        with proxied.client() as c:  # 50 addresses: only the per-account limit can stop them
            return token(c, email, f"wrong guess {i}", f"10.2.{i // 200}.{i % 200 + 1}")

    with ThreadPoolExecutor(50) as pool:
        codes = list(pool.map(guess, range(50)))
    assert codes.count(401) <= 5, codes  # each 401 is one password evaluated
    assert codes.count(401) + codes.count(429) == 50
    assert codes.count(429) >= 45


def test_lockout_does_not_lock_the_owner_out(proxied: Live) -> None:
    home, attacker = "10.3.0.1", "10.4.0.1"
    with proxied.client() as c:
        email = signup(c, home).json()["email"]
        assert token(c, email, STRONG, home) == 200  # the owner's usual address
        c.cookies.clear()  # no device cookie: this test is about the known address
        codes = [token(c, email, f"guess {i}", f"10.4.0.{i + 1}") for i in range(12)]
        assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
        assert token(c, email, STRONG, attacker) == 429  # a new address waits
        assert token(c, email, STRONG, home) == 200  # the owner is not locked out
        # wrong passwords from the owner's address have their own, per-pair, limit
        codes = [token(c, email, "typo typo", home) for _ in range(6)]
        assert codes == [401] * 5 + [429]


def test_signup_is_throttled_per_address(proxied: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIPLANE_SIGNUPS_PER_HOUR", "3")
    with proxied.client() as c:
        assert [signup(c, "10.5.0.1").status_code for _ in range(4)] == [201, 201, 201, 429]
        assert signup(c, "10.5.0.2").status_code == 201
        r = signup(c, "10.5.0.1")
        assert r.status_code == 429 and "sign-ups" in r.json()["detail"]


def test_unknown_email_runs_a_password_hash(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A login for an e-mail without an account costs one argon2 verification, like a real one
    (so its time does not tell which e-mails have accounts). Counted, not timed."""
    import argon2

    from triplane.usecases.accounts import Accounts, Unauthenticated
    from triplane.usecases.service import open_service

    calls: list[int] = []
    real = argon2.PasswordHasher.verify

    def counting(self: Any, *a: Any, **kw: Any) -> Any:
        calls.append(1)
        return real(self, *a, **kw)

    with open_service(db_url) as svc:
        Accounts(svc.conn, svc).signup("known@example.org", STRONG, "Known")
    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting)
    for email in ("known@example.org", "nobody@example.org"):
        with open_service(db_url) as svc, pytest.raises(Unauthenticated):
            Accounts(svc.conn, svc).login(email, "not it at all")
    assert len(calls) == 2


def test_local_mode_signup_of_a_taken_address_is_one_neutral_sentence(live: Live) -> None:
    """Without e-mail on the server (local mode) a taken address is refused, in words that
    name nothing; a server with e-mail answers the same for both (test_web_signup_verify)."""
    a = live.signup()
    with live.client() as c:
        taken = c.post(
            f"{API}/auth/signup", json={"email": a["email"], "password": STRONG, "name": "X"}
        )
    assert taken.status_code == 409
    assert a["email"] not in taken.text and "already" not in taken.text


def test_a_known_device_gets_in_during_a_distributed_attack(proxied: Live) -> None:
    """OWASP device cookies: a distributed attack locks the account for new devices, but the
    owner's device (the signed cookie of an earlier login) still gets in with the password,
    from any address; the device has its own limit, and a forged cookie counts as none."""
    with proxied.client() as owner:
        email = signup(owner, "10.6.0.1").json()["email"]
        assert token(owner, email, STRONG, "10.6.0.1") == 200
        device = owner.cookies.get("tp_device")
        assert device
    for i in range(8):  # 8 addresses, no cookie: the per-account limit (5) locks the account
        with proxied.client() as attacker:
            token(attacker, email, f"guess {i}", f"10.7.0.{i + 1}")
    with proxied.client() as stranger:  # a new address without the cookie: locked out
        assert token(stranger, email, STRONG, "10.8.0.1") == 429
    forged = device[:-4] + ("0000" if not device.endswith("0000") else "1111")
    with proxied.client(cookies={"tp_device": forged}) as c:
        assert token(c, email, STRONG, "10.8.0.2") == 429
    with proxied.client(cookies={"tp_device": device}) as c:  # the owner, on a new network
        r = c.post(
            f"{API}/auth/token", json={"email": email, "password": STRONG}, headers=frm("10.8.0.3")
        )
        assert r.status_code == 200
        renewed = r.cookies.get("tp_device")
        assert renewed and renewed != device
    # the cookie is bound to its login: another account's lockout is not lifted by it
    with proxied.client() as c:
        other = signup(c, "10.6.0.9").json()["email"]
    for i in range(6):
        with proxied.client() as attacker:
            token(attacker, other, f"guess {i}", f"10.9.0.{i + 1}")
    with proxied.client(cookies={"tp_device": renewed}) as c:
        assert token(c, other, STRONG, "10.8.0.4") == 429
    # the device is limited too: five wrong passwords from it, then it waits as well
    with proxied.client(cookies={"tp_device": renewed}) as c:
        codes = [token(c, email, "typo typo", f"10.8.1.{i + 1}") for i in range(6)]
        assert codes == [401] * 5 + [429]
        assert token(c, email, STRONG, "10.8.1.9") == 429


def test_the_page_login_sets_the_device_cookie(live: Live) -> None:
    a = live.signup()
    c = live.client()
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/login").text)
    assert csrf is not None
    r = c.post("/login", data={"email": a["email"], "password": a["password"], "csrf": csrf[1]})
    assert r.status_code == 303
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("tp_device="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Max-Age=31536000" in cookie


# ---- 5. passwords -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["password", "12345678", "        ", "qwertyuiop", "iloveyou1", "P@ssw0rd1",
     "{email}", "{local}2024", "Kim Trailrunner", "kimtrailrunner1"],
)  # fmt: skip
def test_weak_passwords_are_refused(live: Live, password: str) -> None:
    local = f"kim.trailrunner{uuid.uuid4().hex[:4]}"
    email = f"{local}@example.org"
    pw = password.format(email=email, local=local)
    with live.client() as c:
        r = c.post(
            f"{API}/auth/signup",
            json={"email": email, "password": pw, "name": "Kim Trailrunner"},
        )
    assert r.status_code == 422, r.text
    assert re.search(r"too common|too close|only spaces", r.json()["detail"]), r.text


def test_a_strong_password_is_taken_and_a_weak_new_one_refused(live: Live) -> None:
    a = live.signup()
    c, csrf = page_session(live, a["email"], a["password"])
    r = c.post(
        "/account/password",
        data={"csrf": csrf, "current": a["password"], "new": "password1", "repeat": "password1"},
    )
    assert r.status_code == 422 and "too common" in r.text
    r = c.post(
        "/account/password",
        data={"csrf": csrf, "current": a["password"], "new": a["email"], "repeat": a["email"]},
    )
    assert r.status_code == 422 and "too close" in r.text


# ---- 2. bodies ----------------------------------------------------------------------------------


def test_large_bodies_get_413_before_parsing(live: Live) -> None:
    big = b'{"email": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    with live.client() as c:
        r = c.post(f"{API}/auth/signup", content=big, headers={"content-type": "application/json"})
        assert r.status_code == 413 and "larger than 1 MB" in r.json()["detail"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams
            yield b'{"email": "'
            for _ in range(40):
                yield b"a" * 65536
            yield b'"}'

        r = c.post(
            f"{API}/auth/signup", content=chunks(), headers={"content-type": "application/json"}
        )
        assert r.status_code == 413 and "larger than 1 MB" in r.json()["detail"]
        # a multipart body to a route that takes no upload is refused unread
        r = c.post("/login", files={"f": ("x.bin", b"x" * 1000)}, data={"email": "a@b.cd"})
        assert r.status_code == 415
        # a form without any CSRF cookie is refused before its body is parsed
        r = c.post("/login", data={"email": "a@b.cd", "password": "x", "csrf": "forged"})
        assert r.status_code == 403
    # normal requests are untouched
    assert live.signup()["id"] > 0


def test_a_chunked_video_is_capped_while_it_streams(
    live: Live, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from triplane.usecases import video as v

    monkeypatch.setenv(v.MAX_MB_ENV, "0.001")  # a 1 kB clip limit (+ 2 MB for the form)
    monkeypatch.setenv(v.UPLOAD_DIR_ENV, str(tmp_path / "up"))
    a = live.signup()
    c, csrf = page_session(live, a["email"], a["password"])

    def body() -> Iterator[bytes]:
        boundary = b"--xyz\r\n"
        yield boundary + b'Content-Disposition: form-data; name="csrf"\r\n\r\n' + csrf.encode()
        yield b"\r\n" + boundary
        yield b'Content-Disposition: form-data; name="video"; filename="c.mp4"\r\n\r\n'
        for _ in range(80):
            yield b"\x00" * 65536
        yield b"\r\n--xyz--\r\n"

    r = c.post(
        f"/video?csrf={csrf}",
        content=body(),
        headers={"content-type": "multipart/form-data; boundary=xyz"},
    )
    assert r.status_code == 413
    assert not list((tmp_path / "up").glob("*"))


def answer_before_the_body(live: Live, path: str, headers: dict[str, str], first: bytes) -> int:
    """Send a chunked POST's headers and only its first chunk, then wait: the status the
    server answers while the rest (a would-be 300 MB) is still unsent. A server that reads
    on, parsing or spooling the body, never answers: the read times out (0)."""
    host, port = live.url.removeprefix("http://").split(":")
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", "Transfer-Encoding: chunked"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    with socket.create_connection((host, int(port)), timeout=20) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        s.sendall(f"{len(first):x}\r\n".encode() + first + b"\r\n")
        try:
            head = s.recv(200)
        except TimeoutError:
            return 0
    m = re.match(rb"HTTP/1\.1 (\d{3})", head)
    return int(m.group(1)) if m else 0


def multipart_start(fields: dict[str, str]) -> bytes:
    """The opening of a multipart body: these fields, then a file part that goes on."""
    out = b""
    for name, value in fields.items():
        out += b'--xyz\r\nContent-Disposition: form-data; name="' + name.encode() + b'"\r\n\r\n'
        out += value.encode() + b"\r\n"
    out += b'--xyz\r\nContent-Disposition: form-data; name="video"; filename="c.mp4"\r\n\r\n'
    return out + b"\x00" * 65536


def test_csrf_is_checked_before_a_multipart_body_is_read(live: Live) -> None:
    """Issue 16 item 2: a multipart body whose token is only inside it is refused before a
    byte more is read, also with a valid token there (upload forms send it in the address)."""
    a = live.signup()
    c, csrf = page_session(live, a["email"], a["password"])
    session = c.cookies.get("tp_session")
    kind = {"Content-Type": "multipart/form-data; boundary=xyz"}
    # /login takes no upload: refused unread (a bad token, or no session at all)
    pre = live.client()
    pre.get("/login")
    cookie = {"Cookie": f"tp_csrf={pre.cookies.get('tp_csrf')}", **kind}
    assert answer_before_the_body(live, "/login", cookie, multipart_start({"csrf": "bad"})) == 415
    # the upload route, signed in: the token only in the body (right or wrong) -> 403 at once
    auth = {"Cookie": f"tp_session={session}", **kind}
    for token_ in (csrf, "forged"):
        body = multipart_start({"csrf": token_})
        assert answer_before_the_body(live, "/video", auth, body) == 403
    # a wrong token in the address -> 403 at once as well
    body = multipart_start({})
    assert answer_before_the_body(live, "/video?csrf=forged", auth, body) == 403


def page_session(live: Live, email: str, password: str) -> tuple[httpx.Client, str]:
    c = live.client()
    token_ = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/login").text)
    assert token_ is not None
    r = c.post("/login", data={"email": email, "password": password, "csrf": token_.group(1)})
    assert r.status_code == 303, r.text
    page = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/account").text)
    assert page is not None
    return c, page.group(1)


# ---- 6. no 500s ---------------------------------------------------------------------------------

EXTREME_DATES = ["0001-01-01", "9999-12-31"]


@pytest.mark.parametrize("day", EXTREME_DATES)
def test_extreme_dates_are_a_sentence_not_a_500(live_both: Live, day: str) -> None:
    a = live_both.signup()
    c, aid = a["client"], a["athlete_id"]
    answers = [
        c.get(f"{API}/athletes/{aid}/plan/day", params={"date": day}),
        c.get(f"{API}/athletes/{aid}/plan/week", params={"start": day}),
        c.get(f"{API}/athletes/{aid}/lunge/next", params={"date": day}),
        c.get(f"{API}/athletes/{aid}/profile", params={"date": day}),
        c.post(f"{API}/athletes/{aid}/logs", json={"drill": "pigeon", "date": day}),
        c.post(f"{API}/athletes/{aid}/check-ins", json={"pain": 1, "date": day}),
        c.post(
            f"{API}/athletes/{aid}/lunge/logs",
            json={
                "direction": "anterior",
                "reps": 5,
                "discomfort": 0,
                "balance": "ok",
                "date": day,
            },
        ),  # fmt: skip
    ]
    for r in answers:
        assert r.status_code == 422, (r.request.url, r.text)
        assert "out of range" in r.json()["detail"]
    pages, _ = page_session(live_both, a["email"], a["password"])
    r = pages.get("/today", params={"date": day})
    assert r.status_code == 422 and "out of range" in r.text


@pytest.mark.parametrize("tz", ["Europe", "America", "x" * 64, "Europe/" + "a" * 57, "../etc"])
def test_bad_zones_are_a_sentence(live: Live, tz: str) -> None:
    with live.client() as c:
        r = c.post(
            f"{API}/auth/signup",
            json={"email": f"z{uuid.uuid4().hex[:6]}@example.org", "password": STRONG,
                  "name": "Zed", "tz": tz},
        )  # fmt: skip
    assert r.status_code == 422 and "time zone" in r.json()["detail"], r.text


def test_a_300_character_zone_is_refused_in_the_form(live: Live) -> None:
    c = live.client()
    token_ = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/signup").text)
    assert token_ is not None
    r = c.post(
        "/signup",
        data={"email": "long@example.org", "password": STRONG, "name": "L",
              "tz": "Europe/" + "z" * 300, "csrf": token_.group(1)},
    )  # fmt: skip
    assert r.status_code == 422 and "time zone" in r.text


def test_minutes_nan_is_refused(live: Live) -> None:
    a = live.signup()
    pages, _ = page_session(live, a["email"], a["password"])
    for bad in ("nan", "inf", "-1", "1e308"):
        r = pages.get("/drills/pigeon", params={"minutes": bad})
        assert r.status_code == 422 and "minutes is a number" in r.text.lower(), bad
    assert pages.get("/drills/pigeon", params={"minutes": "3"}).status_code == 200


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-30", "Europe", "nan", "24:61"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)
ISO_DAY = st.dates().map(lambda d: d.isoformat())  # hypothesis favours 0001-01-01, 9999-12-31
FIELD = {
    "date": ISO_DAY | JSON_VALUES,
    "start": ISO_DAY | JSON_VALUES,
    "pain": st.integers(-3, 13) | st.booleans() | JSON_VALUES,
    "minutes": st.floats() | st.booleans() | JSON_VALUES,
}
ROUTES = [
    ("post", "logs", ["drill", "date", "minutes", "discomfort", "skipped", "client_id"]),
    ("post", "check-ins", ["pain", "flags", "cleared_by_clinician", "date", "client_id"]),
    ("post", "lunge/logs", ["direction", "reps", "discomfort", "balance", "load", "date"]),
    ("post", "measurements", ["side", "motion", "test", "degrees", "cm", "rating", "date"]),
    ("patch", "settings", ["daily_minutes", "run_days", "run_time", "work_hours", "norm_set"]),
    ("patch", "settings", ["conditions", "hip_approach", "birth_year", "sex", "norm_set"]),
    ("get", "plan/day", ["date"]),
    ("get", "plan/week", ["start"]),
    ("get", "lunge/next", ["date"]),
]


@pytest.fixture(scope="module")
def fuzz_athlete(live: Live) -> dict[str, Any]:
    return live.signup()


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    route=st.sampled_from(ROUTES),
    data=st.data(),
)
def test_fuzzed_api_inputs_never_give_a_5xx(
    live: Live, fuzz_athlete: dict[str, Any], route: Any, data: st.DataObject
) -> None:
    method, path, fields = route
    chosen = data.draw(st.lists(st.sampled_from(fields), unique=True, max_size=len(fields)))
    body = {k: data.draw(FIELD.get(k, JSON_VALUES), label=k) for k in chosen}
    url = f"{API}/athletes/{fuzz_athlete['athlete_id']}/{path}"
    c = fuzz_athlete["client"]
    if method == "get":
        params = {k: str(v)[:40] for k, v in body.items()}
        r = c.get(url, params=params)
    else:
        raw = json.dumps(body)  # NaN and Infinity too: not JSON, the server must say so
        r = c.request(
            method.upper(), url, content=raw, headers={"content-type": "application/json"}
        )
    assert r.status_code < 500, (method, path, body, r.text)
    if r.status_code >= 400:
        assert r.json()["detail"], r.text


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    tz=st.sampled_from(["Europe", "America", "Etc", "../../etc/passwd", "UTC/", " ", "Europe/"])
    | st.text(max_size=64),
    name=st.text(max_size=120),
)
def test_fuzzed_signups_never_give_a_5xx(live: Live, tz: str, name: str) -> None:
    body = {"email": f"f{uuid.uuid4().hex[:10]}@example.org", "password": STRONG, "name": name,
            "tz": tz}  # fmt: skip
    with live.client() as c:
        r = c.post(f"{API}/auth/signup", json=body)
    assert r.status_code < 500, (body, r.text)


# ---- 3. proxy trust -----------------------------------------------------------------------------


def test_proxy_addresses_are_parsed() -> None:
    from triplane.usecases.service import Invalid
    from triplane.web.serve import parse_proxies

    assert parse_proxies("127.0.0.1, 10.0.0.0/8") == ["127.0.0.1", "10.0.0.0/8"]
    for bad in ("*", "", "proxy.example.org"):
        with pytest.raises(Invalid):
            parse_proxies(bad)


def test_serve_says_what_is_wrong_with_a_proxy_address(cli: Any) -> None:
    r = cli("serve", "--proxy", "*")
    assert r.code == 1 and "not an IP address or network" in r.err and "Traceback" not in r.err


@pytest.mark.parametrize("trusted", [[], ["10.9.9.9"]])
def test_forged_forwarded_for_does_not_bypass_the_limit(db_url: str, trusted: list[str]) -> None:
    """`serve --proxy` trusts 127.0.0.1 (the proxy on this machine) and takes the right-most
    address it does not trust; `--proxy 10.9.9.9` does not trust us at all. Either way, a
    forged left-most address changes nothing: the per-address limit (30) holds."""
    from test_web_serve import serve, wait

    proc, port = serve(db_url, "--proxy", *trusted)
    url = f"http://127.0.0.1:{port}"
    try:
        wait(url, proc)
        with httpx.Client(base_url=url, timeout=30) as c:
            codes = [
                c.post(
                    f"{API}/auth/token",
                    json={"email": f"n{i}@example.org", "password": "not a password"},
                    headers={"X-Forwarded-For": f"203.0.113.{i}, 198.51.100.7"},
                ).status_code
                for i in range(32)
            ]
        assert codes[:30] == [401] * 30 and codes[30:] == [429, 429]
    finally:
        proc.terminate()
        proc.wait(10)


# ---- 9. smaller ---------------------------------------------------------------------------------


def test_calendar_address_is_revoked_when_the_password_changes(live: Live) -> None:
    a = live.signup()
    made = a["client"].post(f"{API}/athletes/{a['athlete_id']}/calendar-token").json()
    feed = "/calendar/" + made["url"].rsplit("/calendar/", 1)[1]
    with live.client() as anon:
        assert anon.get(feed).status_code == 200
        c, csrf = page_session(live, a["email"], a["password"])
        r = c.post(
            "/account/password",
            data={"csrf": csrf, "current": a["password"], "new": STRONG, "repeat": STRONG},
        )
        assert r.status_code == 303, r.text
        assert anon.get(feed).status_code == 404


def test_405_says_what_is_allowed(live: Live) -> None:
    with live.client() as c:
        r = c.delete(f"{API}/me")
        assert r.status_code == 405 and r.headers["allow"] == "GET"
        r = c.put("/login")
        assert r.status_code == 405 and r.headers["allow"] == "GET, POST"


def test_booleans_are_not_numbers(live: Live) -> None:
    a = live.signup()
    c, aid = a["client"], a["athlete_id"]
    r = c.post(f"{API}/athletes/{aid}/check-ins", json={"pain": True})
    assert r.status_code == 422 and "pain" in r.json()["detail"]
    r = c.post(f"{API}/athletes/{aid}/logs", json={"drill": "pigeon", "minutes": True})
    assert r.status_code == 422
    assert c.get(f"{API}/athletes/{aid}/log").json() == []
    assert c.post(f"{API}/athletes/{aid}/check-ins", json={"pain": 1}).status_code == 201


def test_sqlite_runs_synchronous_full(db_url: str) -> None:
    from sqlalchemy import text

    from triplane.store.db import open_engine

    engine = open_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
