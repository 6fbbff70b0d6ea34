"""The programme team's pages: GET / (the dashboard), GET and POST /login, POST /logout.

Every answer here carries a Content-Security-Policy that allows the page's one stylesheet and
nothing else (no script, no images, no frames, forms only to this hub). A page without a live
session redirects to /login; a POST whose Origin is not this hub is refused (403)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.months import months_between
from coachdesk.hub import sessions
from coachdesk.hub.config import HubConfig
from coachdesk.hub.disclosure import parse_rule
from coachdesk.hub.pages import CSP, Filter, dashboard_page, login_page, message_page
from coachdesk.hub.store import Store
from coachdesk.hub.summary import summarise

MAX_FORM_BYTES = 4096
DEFAULT_MONTHS = 12


def html(text: str, status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers={"Content-Security-Policy": CSP, **(headers or {})})


def to_login() -> Response:
    return RedirectResponse("/login", status_code=303, headers={"Content-Security-Policy": CSP})


def session_user(store: Store, request: Request) -> str | None:
    return sessions.user_for(store, sessions.session_id_from(dict(request.cookies)))


def default_range(span: tuple[str, str]) -> tuple[str, str]:
    """The last twelve months that have figures (fewer when the programme is younger)."""
    return months_between(*span)[-DEFAULT_MONTHS:][0], span[1]


BodyReader = Callable[[Request, int], Awaitable[bytes]]


def routes(store: Store, config: HubConfig, read_body: BodyReader) -> list[Route]:
    names = dict(config.practice_names)

    async def dashboard(request: Request) -> Response:
        user = await run_in_threadpool(session_user, store, request)
        if user is None:
            return to_login()
        query = request.query_params
        page = partial(dashboard_page, user=user, programme=config.programme, names=names)
        reported = await run_in_threadpool(store.reported)
        if reported is None:
            return html(page(chosen=Filter("", "", ""), practices=[], summary=None, nothing_yet=True))
        span, codes = reported
        start, end = default_range(span)
        chosen = Filter(
            (query.get("from") or start).strip()[:20],
            (query.get("to") or end).strip()[:20],
            (query.get("practice") or "").strip()[:40],
            (query.get("sdc") or "").strip()[:20] or None,
        )
        form_page = partial(page, chosen=chosen, practices=sorted(set(codes) | set(names)), span=span)
        try:
            rule = parse_rule(chosen.sdc) if chosen.sdc else config.sdc
            summary = await run_in_threadpool(
                lambda: summarise(
                    store, chosen.period_from, chosen.period_to, rule=rule, practice=chosen.practice or None
                )
            )
        except ValidationError as exc:
            field = {"from": "From", "to": "To", "practice": "Practice", "sdc": "The disclosure rule"}
            return html(form_page(summary=None, problem=f"{field.get(exc.path, exc.path)} {exc.problem}."), status=400)
        return html(form_page(summary=summary))

    async def login_form(request: Request) -> Response:
        if await run_in_threadpool(session_user, store, request) is not None:
            return RedirectResponse("/", status_code=303)
        return html(login_page())

    async def login(request: Request) -> Response:
        if not sessions.same_origin(request.headers.get("origin"), request.headers.get("host")):
            return _cross_site()
        body = await read_body(request, MAX_FORM_BYTES)
        try:
            form = parse_qs(body.decode("utf-8", "replace"), max_num_fields=5)
        except ValueError:  # more fields than the form has: not our page's post
            return html(login_page("The form was not sent as this page sends it. Try again."), status=400)
        token = (form.get("token") or [""])[0].strip()
        started = await run_in_threadpool(sessions.start, store, token) if token else None
        if started is None:
            return html(
                login_page(
                    "That is not a programme-team token of this hub. Check it was pasted whole, or ask "
                    "the hub's operator for a new one."
                ),
                status=401,
            )
        secure = sessions.wants_secure(request.url.scheme, request.headers.get("host"))
        response = RedirectResponse("/", status_code=303, headers={"Content-Security-Policy": CSP})
        response.headers.append("Set-Cookie", sessions.set_cookie(started.session_id, secure))
        return response

    async def logout(request: Request) -> Response:
        if not sessions.same_origin(request.headers.get("origin"), request.headers.get("host")):
            return _cross_site()
        await run_in_threadpool(sessions.end, store, sessions.session_id_from(dict(request.cookies)))
        response = to_login()
        for cookie in sessions.clear_cookies():
            response.headers.append("Set-Cookie", cookie)
        return response

    return [
        Route("/", dashboard, methods=["GET"]),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
    ]


def _cross_site() -> Response:
    return html(
        message_page(
            "Request refused",
            "This form was not sent from this hub's own page, so it was refused. Open the hub's address and try again.",
        ),
        status=403,
    )
