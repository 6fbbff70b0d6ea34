"""The programme team's dashboard over a real uvicorn on 127.0.0.1, on SQLite and PostgreSQL: login
turns a token into a session cookie (HttpOnly, SameSite=Strict, Secure unless plain http on
loopback), only its hash is stored, POSTs from another origin are refused, the filter is applied,
the CSV link gives exactly summary.csv, logout ends the session, every value is escaped, and every
page carries the security headers."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from conftest import CONFIG, RunningHub
from hubkit import Reply, fill_sample
from sqlalchemy import select

from coachdesk.domain.months import months_between as months
from coachdesk.hub import sessions
from coachdesk.hub.access import add_user
from coachdesk.hub.figures import KEY_MEASURES, month_label, shown_text
from coachdesk.hub.pages import Filter, dashboard_page
from coachdesk.hub.reports import FORMATS
from coachdesk.hub.summary import summarise
from coachdesk.hub.tables import dashboard_sessions
from coachdesk.hub.tokens import token_hash

PERIODS = months("2015-04", "2016-03")


def origin(hub: RunningHub) -> dict[str, str]:
    return {"Origin": hub.client.base}


def log_in(hub: RunningHub, token: str | None = None, headers: dict[str, str] | None = None) -> Reply:
    body = urlencode({"token": token if token is not None else hub.client.token}).encode()
    return hub.client.request(
        "POST",
        "/login",
        body,
        {"Content-Type": "application/x-www-form-urlencoded", **(headers if headers is not None else origin(hub))},
    )


def cookie_of(reply: Reply) -> str:
    """`name=value` of the session cookie a login set."""
    assert reply.set_cookies, reply.headers
    return reply.set_cookies[0].split(";", 1)[0]


def get(hub: RunningHub, path: str, cookie: str | None = None) -> Reply:
    return hub.client.request("GET", path, headers={"Cookie": cookie} if cookie else {})


class Tables(HTMLParser):
    """The text of every cell of the tables of a page, by table id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("id") or "?"
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._table and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables_of(reply: Reply) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(reply.body.decode("utf-8"))
    return parser.tables


# -- login and sessions ---------------------------------------------------------------------------


def test_without_a_session_the_dashboard_redirects_to_login_and_the_csv_is_refused(hub: RunningHub) -> None:
    reply = get(hub, "/")
    assert (reply.status, reply.headers["location"]) == (303, "/login")
    assert get(hub, "/?from=2015-04&to=2015-05", "coachdesk-hub-session=made-up").status == 303
    csv = get(hub, "/api/v1/summary.csv?from=2015-04&to=2015-05")
    assert csv.status == 401 and csv.is_error_shape()
    page = get(hub, "/login")
    assert page.status == 200 and b'name="token"' in page.body and page.headers["content-type"].startswith("text/html")


def test_login_sets_a_strict_http_only_cookie_and_keeps_only_its_hash(hub: RunningHub) -> None:
    reply = log_in(hub)
    assert (reply.status, reply.headers["location"]) == (303, "/")
    [set_cookie] = reply.set_cookies
    flags = [part.strip() for part in set_cookie.split(";")]
    name, value = flags[0].split("=", 1)
    # Plain http on 127.0.0.1: a browser would drop a Secure cookie, so this one is not.
    assert name == sessions.PLAIN_NAME and len(value) >= 40
    assert {"HttpOnly", "SameSite=Strict", "Path=/"} <= set(flags) and "Secure" not in flags
    assert f"Max-Age={sessions.SESSION_HOURS * 3600}" in flags
    with hub.store.engine.connect() as conn:
        stored = conn.execute(select(dashboard_sessions.c.session_hash)).scalars().all()
    assert stored == [token_hash(value)]
    page = get(hub, "/", f"{name}={value}")
    assert page.status == 200 and b"Signed in as analyst" in page.body
    assert get(hub, "/login", f"{name}={value}").headers.get("location") == "/"


def test_the_cookie_is_secure_and_host_prefixed_unless_plain_http_on_loopback(hub: RunningHub) -> None:
    # Behind the council's TLS proxy the hub sees http, but the public host name.
    reply = log_in(hub, headers={"Host": "hub.example.org", "Origin": "https://hub.example.org"})
    assert reply.status == 303
    flags = [part.strip() for part in reply.set_cookies[0].split(";")]
    assert flags[0].startswith(f"{sessions.SECURE_NAME}=") and "Secure" in flags and "SameSite=Strict" in flags
    assert sessions.wants_secure("https", "127.0.0.1:8765")
    assert not sessions.wants_secure("http", "localhost:8765") and not sessions.wants_secure("http", "[::1]:80")
    assert sessions.wants_secure("http", "10.0.0.5:8765")


def test_a_wrong_token_is_refused_and_starts_nothing(hub: RunningHub) -> None:
    for token in ("not-a-token", "x" * 500, ""):
        reply = log_in(hub, token)
        assert reply.status == 401 and not reply.set_cookies
        assert b"not a programme-team token" in reply.body
    crowded = hub.client.request(
        "POST",
        "/login",
        b"a=1&" * 50 + b"token=x",
        {"Content-Type": "application/x-www-form-urlencoded", **origin(hub)},
    )
    assert crowded.status == 400 and not crowded.set_cookies
    assert hub.client.request("POST", "/login", b"t" * 5000, origin(hub)).status == 413
    with hub.store.engine.connect() as conn:
        assert conn.execute(select(dashboard_sessions)).first() is None


@pytest.mark.parametrize("headers", [{}, {"Origin": "null"}, {"Origin": "https://elsewhere.example"}])
def test_posts_from_another_origin_are_refused(hub: RunningHub, headers: dict[str, str]) -> None:
    assert log_in(hub, headers=headers).status == 403
    cookie = cookie_of(log_in(hub))
    reply = hub.client.request("POST", "/logout", b"", {"Cookie": cookie, **headers})
    assert reply.status == 403
    assert get(hub, "/", cookie).status == 200  # the session was not ended by the forged request


def test_logout_ends_the_session_and_clears_the_cookie(hub: RunningHub) -> None:
    fill_sample(hub.store, PERIODS[:2])
    cookie = cookie_of(log_in(hub))
    reply = hub.client.request("POST", "/logout", b"", {"Cookie": cookie, **origin(hub)})
    assert (reply.status, reply.headers["location"]) == (303, "/login")
    assert all("Max-Age=0" in c for c in reply.set_cookies) and len(reply.set_cookies) == 2
    assert get(hub, "/", cookie).status == 303
    assert get(hub, "/api/v1/summary.csv?from=2015-04&to=2015-05", cookie).status == 401
    with hub.store.engine.connect() as conn:
        assert conn.execute(select(dashboard_sessions)).first() is None


def test_a_session_ends_after_its_hours(hub: RunningHub) -> None:
    long_ago = datetime.now(UTC) - timedelta(hours=sessions.SESSION_HOURS, minutes=1)
    started = sessions.start(hub.store, hub.client.token or "", now=long_ago)
    assert started is not None and started.user == "analyst"
    assert sessions.user_for(hub.store, started.session_id, now=long_ago + timedelta(minutes=1)) == "analyst"
    assert sessions.user_for(hub.store, started.session_id) is None
    assert get(hub, "/", f"{sessions.PLAIN_NAME}={started.session_id}").status == 303


# -- the page ------------------------------------------------------------------------------------------


def test_every_page_carries_the_security_headers(hub: RunningHub) -> None:
    cookie = cookie_of(log_in(hub))
    for reply in (get(hub, "/login"), get(hub, "/", cookie), log_in(hub, "wrong")):
        csp = reply.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "script-src" not in csp
        assert reply.headers["x-content-type-options"] == "nosniff"
        assert reply.headers["referrer-policy"] == "same-origin"
        assert reply.headers["x-frame-options"] == "DENY"
        assert reply.headers["cache-control"] == "no-store"
        # The one inline stylesheet is allowed by its hash, and the page has no script at all.
        text = reply.body.decode("utf-8")
        style = re.search(r"<style>(.*?)</style>", text, re.S)
        assert style is not None
        digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
        assert f"style-src 'sha256-{digest}'" in csp
        assert "<script" not in text and "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "default-src 'none'" in get(hub, "/healthz").headers["content-security-policy"]


def test_before_any_bundle_the_dashboard_says_so(hub: RunningHub) -> None:
    page = get(hub, "/", cookie_of(log_in(hub)))
    assert page.status == 200 and b"No bundles have arrived yet" in page.body and b"<svg" not in page.body


def test_the_filter_is_applied_and_the_table_is_the_summary(hub: RunningHub) -> None:
    fill_sample(hub.store, PERIODS, unknown=("2015-06", "P02", "sessions_dna"))
    cookie = cookie_of(log_in(hub))
    page = get(hub, "/?from=2015-05&to=2015-08&practice=P02", cookie)
    assert page.status == 200
    summary = summarise(hub.store, "2015-05", "2015-08", rule=CONFIG.sdc, practice="P02")
    expected = [
        [month_label(period), *(shown_text(summary.value(period, "P02", m)) for m, _ in KEY_MEASURES)]
        for period in months("2015-05", "2015-08")
    ]
    table = tables_of(page)["key-measures"]
    assert table[1:] == expected
    cells = [cell for row in expected for cell in row]
    assert "unknown" in cells and "*" in cells  # the sample has both: the marks come through
    assert b"Monthly trends: P02" in page.body and page.body.count(b"<svg") == 4
    assert "practices" not in tables_of(page)  # one practice chosen: no comparison table
    # With no filter: the last twelve months with figures, every practice and the total.
    whole = get(hub, "/", cookie)
    rows = tables_of(whole)["key-measures"][1:]
    assert [r[0] for r in rows] == [month_label(p) for p in PERIODS]
    assert [r[0] for r in tables_of(whole)["practices"][1:]] == ["P01", "P02", "P03", "All practices"]


def test_a_bad_filter_is_explained_and_echoed_escaped(hub: RunningHub) -> None:
    fill_sample(hub.store, PERIODS[:2])
    cookie = cookie_of(log_in(hub))
    page = get(hub, "/?from=%3Cscript%3Ealert(1)%3C/script%3E&to=2015-05", cookie)
    assert page.status == 400
    assert b"<script>" not in page.body and b"&lt;script&gt;alert(1)" in page.body
    assert b"From must be a month written YYYY-MM" in page.body
    assert get(hub, "/?from=2015-06&to=2015-04", cookie).status == 400


def test_the_csv_link_downloads_exactly_summary_csv(hub: RunningHub) -> None:
    fill_sample(hub.store, PERIODS[:4])
    cookie = cookie_of(log_in(hub))
    page = get(hub, "/?from=2015-05&to=2015-07&practice=P01", cookie)
    link = re.search(rb'href="(/api/v1/summary\.csv\?[^"]+)"', page.body)
    assert link is not None
    path = link.group(1).decode().replace("&amp;", "&")
    assert path == "/api/v1/summary.csv?from=2015-05&to=2015-07&practice=P01"
    with_cookie = get(hub, path, cookie)
    with_token = hub.client.summary("from=2015-05&to=2015-07&practice=P01", csv=True)
    assert with_cookie.status == with_token.status == 200
    assert with_cookie.body == with_token.body
    summary = summarise(hub.store, "2015-05", "2015-07", rule=CONFIG.sdc, practice="P01")
    assert with_cookie.body == FORMATS["csv"].render(summary)
    assert with_cookie.headers["content-disposition"] == with_token.headers["content-disposition"]


def test_an_unpublishable_rule_is_labelled(hub: RunningHub) -> None:
    fill_sample(hub.store, PERIODS[:2])
    cookie = cookie_of(log_in(hub))
    page = get(hub, "/?from=2015-04&to=2015-05&sdc=none", cookie)
    assert page.status == 200
    assert b"Not for publication" in page.body and b"Disclosure control: none." in page.body
    assert b'href="/api/v1/summary.csv?from=2015-04&amp;to=2015-05&amp;sdc=none"' in page.body
    assert b'name="sdc" value="none"' in page.body  # the filter keeps the rule the address asked for
    normal = get(hub, "/?from=2015-04&to=2015-05", cookie)
    assert b"Not for publication" not in normal.body and b"Disclosure control: nhs." in normal.body


def test_names_and_values_are_escaped(hub: RunningHub) -> None:
    fill_sample(hub.store, PERIODS[:1])
    summary = summarise(hub.store, "2015-04", "2015-04", rule=CONFIG.sdc)
    text = dashboard_page(
        user="<img src=x onerror=alert(1)>",
        programme='"><script>x</script>',
        chosen=Filter("2015-04", "2015-04", '"><b>'),
        practices=["P01"],
        names={"P01": "<i>Surgery & Co</i>"},
        summary=summary,
    )
    for raw in ("<img", "<script", "<i>", '"><b>'):
        assert raw not in text
    assert "&lt;i&gt;Surgery &amp; Co&lt;/i&gt;" in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    # A user whose name is markup, through the real page.
    token = add_user(hub.store, "<b>Analyst</b>")
    page = get(hub, "/", cookie_of(log_in(hub, token)))
    assert b"Signed in as &lt;b&gt;Analyst&lt;/b&gt;" in page.body
