"""The HTTPS client between the coach's laptop and the programme's hub (interfaces.md §3).

Standard library only (urllib + ssl), and no Qt: the command line calls it directly and the app
calls it from its network thread, never from the GUI thread.

- HTTPS with the system's certificate store, always verified; plain http only for a hub on this
  machine (`policy.check_hub_url`).
- The system proxy is honoured (environment variables, or the Windows/macOS settings through
  `urllib.request.getproxies`), except for a hub on this machine, which is never proxied.
- Redirects are never followed: a hub that answers 3xx is a configuration problem the programme
  team must fix, and following it could send a bundle somewhere nobody chose.
- Every answer read is capped, every wait goes through the injected `sleep`, and nothing that is
  logged or returned quotes what was sent.

Each request ends in one of three plain results, which `sync/sending.py` turns into month states:
`Delivered` (2xx: the month is sent), `Rejected` (the hub refused it: the month failed, with the
hub's sentence), `Unreachable` (not reached after every attempt: the month stays pending)."""

from __future__ import annotations

import http.client
import ipaddress
import json
import logging
import random
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from http import HTTPStatus
from typing import Any
from urllib.parse import urlparse

from coachdesk import __version__
from coachdesk.domain.errors import SyncError, ValidationError
from coachdesk.domain.policy import check_hub_url

log = logging.getLogger(__name__)

BUNDLES_PATH = "/api/v1/bundles"
ENROL_PATH = "/api/v1/enrol"
HEALTH_PATH = "/healthz"
MAX_ANSWER_BYTES = 64 * 1024  # the hub's answers are a few hundred bytes; anything larger is not the hub
HEALTH_TIMEOUT = 3.0  # "connected" is a glance, not a wait
_RETRIED_STATUSES = frozenset({408, 429})  # plus every 5xx
_MAX_DETAIL = 300  # characters of the hub's sentence kept for the coach
_MAX_LOCATION = 200


@dataclass(frozen=True)
class Delivered:
    """The hub took the request (2xx) and answered with a JSON object."""

    status: int
    body: dict[str, Any]


@dataclass(frozen=True)
class Rejected:
    """The hub refused the request; asking again unchanged would get the same answer."""

    status: int
    error: str  # the hub's code ("stale_revision"), or one of ours ("redirect", "http_400", …)
    detail: str  # a sentence for the coach


@dataclass(frozen=True)
class Unreachable:
    """The hub could not be reached, or kept failing, after every attempt."""

    reason: str  # a sentence for the coach


Answer = Delivered | Rejected | Unreachable


class HubError(SyncError):
    """The hub refused a request that has no month to mark failed (enrolment), or was not reached.
    `status` is the HTTP status when the hub answered, None when it was not reached."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class _Reply:
    status: int
    headers: Mapping[str, str]
    data: bytes
    too_large: bool


@dataclass(frozen=True)
class _Trouble:
    """Why one attempt did not get a usable answer."""

    reason: str
    kind: str  # for the log: "timeout", "503", "ConnectionRefusedError" (never a body)
    retryable: bool = True
    sent: bool = False  # the request may have reached the hub (it was sent, or a reply came)
    retry_after: float | None = None
    status: int | None = None  # when the hub answered (5xx, 408, 429)


class _TroubleError(Exception):
    def __init__(self, trouble: _Trouble) -> None:
        super().__init__(trouble.reason)
        self.trouble = trouble


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _proxy_name(proxy: str) -> str:
    """host:port of a proxy setting, without any user name or password it carries."""
    parsed = urlparse(proxy if "://" in proxy else f"http://{proxy}")
    try:
        port = parsed.port
    except ValueError:
        port = None
    host = parsed.hostname or "set in the system settings"
    return f"{host}:{port}" if port else host


def _seconds(value: float) -> str:
    return f"{value:g} second{'' if value == 1 else 's'}"


def _sentence(text: str, limit: int = _MAX_DETAIL) -> str:
    """One line, bounded: the hub's words are shown on a page and kept with the month."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _status_words(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _json_object(data: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested beyond reason
        return None
    return value if isinstance(value, dict) else None


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Retry-After in seconds (the HTTP-date form is ignored: our own backoff applies then)."""
    value = (headers.get("Retry-After") or "").strip()
    return float(value) if value.isdigit() else None


class HubClient:
    """Talks to one hub. Blocking: call it from the command line or a worker thread.

    `sleep` and `jitter` are injectable so tests (and a cancellable app) control every wait."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 15.0,
        attempts: int = 4,
        base_delay: float = 1.0,
        max_delay: float = 30.0,
        sleep: Callable[[float], object] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        url = check_hub_url(base_url, "hub")
        parsed = urlparse(url)
        if parsed.username is not None or parsed.password is not None:
            # Credentials in an address end up in logs and on screens; the hub does not use them.
            raise ValidationError("hub", "must not contain a user name or password")
        if timeout <= 0 or attempts < 1 or base_delay < 0 or max_delay < 0:
            raise ValueError("timeout must be positive, attempts at least 1, delays not negative")
        self.base_url = url
        self.timeout = float(timeout)
        self.attempts = attempts
        self.base_delay = float(base_delay)
        self.max_delay = float(max_delay)
        self._sleep = sleep
        self._jitter = jitter
        self._host = parsed.hostname or ""
        self._scheme = parsed.scheme
        self._where = parsed.netloc
        self._user_agent = f"coachdesk/{__version__}"
        # The system's trusted certificates, hostname checked. Deliberately no way to turn it off:
        # a hub with a bad certificate is fixed at the hub, not on forty laptops.
        self._tls = ssl.create_default_context()

    # -- the hub's API ------------------------------------------------------------------------
    def send_bundle(self, canonical_bundle: bytes) -> Answer:
        """Send one month's signed bundle. A bundle may be sent again safely: the hub answers
        200 duplicate for the same bundle, so retries cannot double-count."""
        return self.post_json(BUNDLES_PATH, canonical_bundle)

    def enrol(self, token: str, device_name: str, public_key: str) -> str:
        """Register this laptop's public key with a single-use token; returns the device id from
        the hub's 201 answer. Raises HubError when refused or not reached."""
        body = json.dumps({"token": token, "device_name": device_name, "public_key": public_key}).encode()
        # A token works only once: if the hub may have seen it, asking again could only be refused
        # and would hide the real answer. Only failures before anything was sent are retried.
        answer = self._exchange(
            "POST", ENROL_PATH, body, timeout=self.timeout, attempts=self.attempts, idempotent=False
        )
        if isinstance(answer, _Trouble):
            message = answer.reason
            if answer.sent:
                message += (
                    " The enrolment was not repeated, because a token works only once; try again later, "
                    "and if the hub then refuses the token, ask the programme team for a new one."
                )
            raise HubError(message, answer.status)
        if isinstance(answer, Rejected):
            raise HubError(
                f"The hub refused the enrolment ({_status_words(answer.status)}): {answer.detail}", answer.status
            )
        device_id = answer.body.get("device_id")
        if not isinstance(device_id, str) or not device_id:
            raise HubError(
                "The hub's answer to the enrolment held no device id; tell the programme team.", answer.status
            )
        return device_id

    def healthy(self) -> bool:
        """One quick GET /healthz, not retried: whether to show the hub as connected."""
        proxy = self._proxy()
        try:
            reply = self._send(
                self._opener(proxy),
                proxy,
                "GET",
                self._url(HEALTH_PATH),
                body=None,
                timeout=min(self.timeout, HEALTH_TIMEOUT),
            )
        except _TroubleError:
            return False
        return 200 <= reply.status < 300

    def post_json(self, path: str, body: bytes, *, idempotent: bool = True) -> Answer:
        """POST a JSON body, retrying what may succeed later: no connection, DNS failures,
        timeouts, 5xx, 408 and 429, with exponential backoff and full jitter (or the hub's
        Retry-After). `idempotent=False` retries only when the request never left this laptop."""
        answer = self._exchange("POST", path, body, timeout=self.timeout, attempts=self.attempts, idempotent=idempotent)
        return Unreachable(answer.reason) if isinstance(answer, _Trouble) else answer

    # -- the retry loop -----------------------------------------------------------------------
    def _exchange(
        self, method: str, path: str, body: bytes | None, *, timeout: float, attempts: int, idempotent: bool
    ) -> Delivered | Rejected | _Trouble:
        url = self._url(path)
        proxy = self._proxy()
        opener = self._opener(proxy)
        tries = 0
        while True:
            tries += 1
            try:
                reply = self._send(opener, proxy, method, url, body=body, timeout=timeout)
                outcome = self._classify(reply)
            except _TroubleError as exc:
                outcome = exc.trouble
            if not isinstance(outcome, _Trouble):
                return outcome
            last_try = tries >= attempts or not outcome.retryable or (outcome.sent and not idempotent)
            if last_try:
                log.warning("hub %s %s: gave up after %d attempt(s) (%s)", method, path, tries, outcome.kind)
                if tries > 1:
                    return replace(outcome, reason=f"{outcome.reason} Tried {tries} times.")
                return outcome
            delay = self._delay(tries - 1, outcome.retry_after)
            log.info(
                "hub %s %s: %s; retrying in %.1f s (attempt %d of %d)",
                method, path, outcome.kind, delay, tries + 1, attempts,
            )  # fmt: skip
            self._sleep(delay)

    def _delay(self, n: int, retry_after: float | None) -> float:
        """Full jitter over min(max_delay, base_delay * 2**n): many laptops coming back online at
        once spread out instead of knocking together. The hub's Retry-After wins when given."""
        if retry_after is not None:
            return min(self.max_delay, retry_after)
        ceiling = min(self.max_delay, self.base_delay * 2 ** min(n, 30))
        return ceiling * min(1.0, max(0.0, self._jitter()))

    def _classify(self, reply: _Reply) -> Delivered | Rejected | _Trouble:
        status = reply.status
        parsed = None if reply.too_large else _json_object(reply.data)
        if 200 <= status < 300:
            if parsed is not None:
                return Delivered(status, parsed)
            # Something answered "OK" that is not the hub (a web page, a portal): never count a
            # month as sent on that.
            if reply.too_large:
                error, why = "answer_too_large", f"was larger than {MAX_ANSWER_BYTES // 1024} KiB"
            else:
                error, why = "unreadable_answer", "was not the JSON the hub sends"
            return Rejected(
                status, error, f"The hub's answer {why}, so nothing was counted as sent. Check the hub's address."
            )
        if 300 <= status < 400:
            location = _sentence(reply.headers.get("Location") or "", _MAX_LOCATION)
            where = f"to {location}" if location else "without saying where"
            return Rejected(
                status,
                "redirect",
                f"The hub's address redirects {where} ({_status_words(status)}); it was not followed. "
                "Ask the programme team for the hub's current address.",
            )
        error = parsed.get("error") if parsed is not None else None
        detail = parsed.get("detail") if parsed is not None else None
        hub_said = _sentence(detail) if isinstance(detail, str) and detail.strip() else ""
        if status in _RETRIED_STATUSES or status >= 500:
            reason = f"The hub answered {_status_words(status)}" + (f": {hub_said}" if hub_said else ".")
            if not reason.endswith((".", "!", "?")):
                reason += "."
            return _Trouble(reason, str(status), sent=True, retry_after=_retry_after(reply.headers), status=status)
        code = error if isinstance(error, str) and error.strip() else f"http_{status}"
        return Rejected(
            status, _sentence(code, 60), hub_said or f"The hub refused the request ({_status_words(status)})."
        )

    # -- one attempt ----------------------------------------------------------------------------
    def _url(self, path: str) -> str:
        if not path.startswith("/"):
            raise ValueError("a hub path starts with /")
        return self.base_url + path

    def _proxy(self) -> str | None:
        """The system's proxy for the hub, or None: none set, the hub on this machine (a local
        hub behind a corporate proxy setting must still be reached directly), or bypassed by
        no_proxy / the OS exceptions list."""
        if _is_loopback(self._host):
            return None
        proxy = urllib.request.getproxies().get(self._scheme)
        if not proxy or urllib.request.proxy_bypass(self._where):
            return None
        return proxy

    def _opener(self, proxy: str | None) -> urllib.request.OpenerDirector:
        """Built per call, so a proxy setting changed since (another network) is picked up.
        Only the handlers needed: no redirects, no file: or ftp:."""
        proxies = {self._scheme: proxy} if proxy else {}
        opener = urllib.request.OpenerDirector()
        for handler in (
            urllib.request.ProxyHandler(proxies),  # an empty mapping: a direct connection
            urllib.request.HTTPHandler(),
            urllib.request.HTTPSHandler(context=self._tls),
            urllib.request.HTTPDefaultErrorHandler(),  # turns every non-2xx (3xx included) into HTTPError
            urllib.request.HTTPErrorProcessor(),
        ):
            opener.add_handler(handler)
        return opener

    def _send(
        self,
        opener: urllib.request.OpenerDirector,
        proxy: str | None,
        method: str,
        url: str,
        *,
        body: bytes | None,
        timeout: float,
    ) -> _Reply:
        headers = {"User-Agent": self._user_agent, "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        # The scheme was checked at construction (https, or http to this machine).
        request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310
        try:
            try:
                response = opener.open(request, timeout=timeout)
            except urllib.error.HTTPError as exc:  # a non-2xx answer is still an answer
                response = exc
            with response:
                data = response.read(MAX_ANSWER_BYTES + 1)
                return _Reply(response.status, response.headers, data[:MAX_ANSWER_BYTES], len(data) > MAX_ANSWER_BYTES)
        except urllib.error.URLError as exc:
            # urllib wraps what fails while connecting or sending: nothing was answered yet.
            trouble = self._trouble(exc.reason, sent=False, timeout=timeout)
            if proxy and trouble.retryable:  # what failed may be the proxy, not the hub
                trouble = replace(
                    trouble, reason=f"{trouble.reason} (Connecting through the proxy {_proxy_name(proxy)}.)"
                )
            raise _TroubleError(trouble) from None
        except (OSError, http.client.HTTPException) as exc:
            # Raised while waiting for or reading the answer: the hub may have the request.
            raise _TroubleError(self._trouble(exc, sent=True, timeout=timeout)) from None

    def _trouble(self, cause: object, *, sent: bool, timeout: float) -> _Trouble:
        """A sentence for the coach from a network failure; exception texts are not shown raw."""
        kind = type(cause).__name__
        if isinstance(cause, ssl.SSLCertVerificationError):
            why = _sentence(cause.verify_message or "", 120) if cause.verify_message else "not trusted"
            return _Trouble(
                f"The hub's certificate could not be verified ({why}), so nothing was sent. Check this "
                "laptop's date and time; if they are right, tell the programme team.",
                kind,
                retryable=False,  # the same certificate will fail the same way
            )
        if isinstance(cause, TimeoutError):
            reason = f"The hub did not answer within {_seconds(timeout)}."
            return _Trouble(reason, "timeout", sent=sent)
        if isinstance(cause, socket.gaierror):
            reason = f"The hub's address ({self._host}) could not be found: check this laptop's network connection."
            return _Trouble(reason, kind, sent=sent)
        if isinstance(cause, ConnectionRefusedError):
            return _Trouble(f"{self._where} refused the connection: the hub may not be running.", kind, sent=sent)
        if isinstance(cause, ConnectionError | http.client.HTTPException):
            return _Trouble("The hub closed the connection before answering.", kind, sent=sent)
        if isinstance(cause, ssl.SSLError):
            return _Trouble("A secure connection to the hub could not be set up.", kind, sent=sent)
        # Other OS errors ("Network is unreachable"), and proxy tunnel failures, which urllib gives
        # as text ("Tunnel connection failed: 407 Proxy Authentication Required").
        text = cause.strerror if isinstance(cause, OSError) and cause.strerror else str(cause)
        why = f" ({_sentence(text, 120)})" if text else ""
        return _Trouble(f"The hub at {self._where} could not be reached{why}.", kind, sent=sent)
