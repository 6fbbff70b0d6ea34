"""The hub's HTTP API (interfaces.md §3) as a Starlette application.

Every answer that is not a success is `{"error": code, "detail": sentence}`: the hub's own
refusals, unknown paths and methods, and its own failures (500, with nothing of the request in it).
Request bodies are read chunk by chunk and refused once they pass their limit, so a 1 GB body
costs the hub at most 1 MiB of memory. Database calls run in the thread pool: the event loop never
waits on the store."""

from __future__ import annotations

import json
import logging
import traceback

from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coachdesk.domain.bundle import MAX_BUNDLE_BYTES
from coachdesk.domain.errors import ValidationError
from coachdesk.hub import access, dashboard, enrolment
from coachdesk.hub.config import HubConfig
from coachdesk.hub.disclosure import parse_rule
from coachdesk.hub.errors import HubError, StoreUnavailable
from coachdesk.hub.ingest import HTTP, ingest, refuse, too_large
from coachdesk.hub.reports import FORMATS
from coachdesk.hub.store import Store
from coachdesk.hub.summary import Summary, summarise

log = logging.getLogger("coachdesk.hub.app")

SUMMARY_PARAMETERS = ("from", "to", "practice", "sdc")
_STATUS_CODES = {404: "not_found", 405: "method_not_allowed"}


def error_response(status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail}, status_code=status, headers=headers)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, or HubError 413 as soon as it is longer than `limit` (declared or sent)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise HubError(400, "invalid_request", "Content-Length must be a number of bytes.")
        if int(declared) > limit:
            raise too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(store: Store, config: HubConfig) -> Starlette:
    """The API over `store`, configured by `config` (programme, practices, default disclosure rule)."""

    async def enrol(request: Request) -> Response:
        data = await read_body(request, enrolment.MAX_ENROL_BYTES)
        device_id = await run_in_threadpool(enrolment.enrol, store, data)
        return JSONResponse({"device_id": device_id}, status_code=201)

    async def bundles(request: Request) -> Response:
        try:
            data = await read_body(request, MAX_BUNDLE_BYTES)
        except HubError as exc:
            outcome = await run_in_threadpool(refuse, store, exc, source=HTTP)
        else:
            outcome = await run_in_threadpool(ingest, store, data, config, source=HTTP)
        return JSONResponse(outcome.body(), status_code=outcome.status)

    async def summary_of(request: Request) -> Summary:
        # A script carries its Bearer token; the dashboard's CSV link, the browser's session cookie
        # (SameSite=Strict: never sent by another site's page).
        token = access.bearer_token(request.headers.get("authorization"))
        if token is not None:
            user = await run_in_threadpool(access.user_for_token, store, token)
        else:
            user = await run_in_threadpool(dashboard.session_user, store, request)
        if user is None:
            raise HubError(401, "unauthorised", "A programme-team token is needed: Authorization: Bearer <token>.")
        query = request.query_params
        for key in query:
            if key not in SUMMARY_PARAMETERS:
                raise HubError(400, "invalid_request", f"{key[:40]}: is not a parameter of the summary.")
            if len(query.getlist(key)) > 1:
                raise HubError(400, "invalid_request", f"{key}: give it once.")
        for key in ("from", "to"):
            if key not in query:
                raise HubError(400, "invalid_request", f"{key}: is missing (a month, YYYY-MM).")
        try:
            rule = parse_rule(query["sdc"]) if "sdc" in query else config.sdc
            return await run_in_threadpool(
                lambda: summarise(store, query["from"], query["to"], rule=rule, practice=query.get("practice"))
            )
        except ValidationError as exc:
            raise HubError(400, "invalid_request", exc.message) from None

    async def summary_json(request: Request) -> Response:
        summary = await summary_of(request)
        return Response(FORMATS["json"].render(summary), media_type="application/json", headers=_labels(summary))

    async def summary_csv(request: Request) -> Response:
        summary = await summary_of(request)
        name = f"coachdesk-summary-{summary.period_from}-to-{summary.period_to}"
        if not summary.publishable:
            name += "-not-for-publication"
        headers = {**_labels(summary), "Content-Disposition": f'attachment; filename="{name}.csv"'}
        return Response(FORMATS["csv"].render(summary), media_type="text/csv; charset=utf-8", headers=headers)

    async def healthz(_request: Request) -> Response:
        if await run_in_threadpool(store.ping):
            return JSONResponse({"status": "ok"})
        refusal = StoreUnavailable()
        return error_response(refusal.status, refusal.code, refusal.detail)

    routes = [
        Route("/api/v1/enrol", enrol, methods=["POST"]),
        Route("/api/v1/bundles", bundles, methods=["POST"]),
        Route("/api/v1/summary", summary_json, methods=["GET"]),
        Route("/api/v1/summary.csv", summary_csv, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        *dashboard.routes(store, config, read_body),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(Guard)],
        exception_handlers={HubError: _hub_error, HTTPException: _http_error, ClientDisconnect: _client_gone},
    )
    app.state.store = store
    app.state.config = config
    return app


def _labels(summary: Summary) -> dict[str, str]:
    return {"X-CoachDesk-Publishable": "true" if summary.publishable else "false"}


async def _hub_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HubError)
    headers = {"WWW-Authenticate": 'Bearer realm="coachdesk-hub"'} if exc.code == "unauthorised" else None
    return error_response(exc.status, exc.code, exc.detail, headers)


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _STATUS_CODES.get(exc.status_code, "http_error")
    detail = {
        404: "There is no such page: the hub's API is under /api/v1/ (interfaces.md §3).",
        405: "This path does not answer that method.",
    }.get(exc.status_code, "The request was refused.")
    return error_response(exc.status_code, code, detail, dict(exc.headers or {}))


async def _client_gone(_request: Request, _exc: Exception) -> Response:
    return error_response(400, "client_disconnected", "The request ended before its body did.")


# On every answer. The dashboard's pages set their own Content-Security-Policy (their stylesheet);
# everything else, JSON and CSV, may load nothing and be framed by nobody.
_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    # Not no-referrer: under it a browser sends "Origin: null" with the page's own form posts,
    # which the Origin check must then refuse. same-origin tells other sites nothing.
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
_API_CSP = b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


class Guard:
    """The layer around the routes (inside Starlette's own error middleware, which would answer in
    plain text and re-raise): adds the headers every answer carries, and turns anything that escaped
    the handlers into a 500 (or a 503 when the store failed) with the error shape. Only the
    exception's type and the lines of code are logged: its message could quote a request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers += [(b"cache-control", b"no-store"), *_SECURITY_HEADERS]
                if not any(name.lower() == b"content-security-policy" for name, _ in headers):
                    headers.append((b"content-security-policy", _API_CSP))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            where = "".join(traceback.format_tb(exc.__traceback__))
            log.error("%s %s failed: %s\n%s", scope.get("method"), scope.get("path"), type(exc).__name__, where)
            if started:
                return  # the client gets a cut-off answer; nothing more can be sent
            status, code, detail = 500, "internal_error", "The hub failed on this request; its log says where."
            if isinstance(exc, DBAPIError):
                refusal = StoreUnavailable()
                status, code, detail = refusal.status, refusal.code, refusal.detail
            body = json.dumps({"error": code, "detail": detail}).encode("utf-8")
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
                }
            )
            await send_with_headers({"type": "http.response.body", "body": body})
