"""Receiving one bundle: the checks of interfaces.md §3 in their order, shared by `POST
/api/v1/bundles` and `coachdesk-hub import`, so a file carried by hand gets exactly the answer the
HTTP path would give.

Order: size (413) → JSON and shape, the catalogue, the hub's programme and practices (400, the
field named) → enrolled device and signature (401) → revision (200 duplicate, 409 not above the
stored one) → 201 accepted. Every attempt goes into the ingest log; a refused one changes nothing
else."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError

from coachdesk.domain.bundle import MAX_BUNDLE_BYTES, Bundle, parse_bundle_bytes, receipt_of, verify
from coachdesk.domain.clock import utc_stamp
from coachdesk.domain.errors import ValidationError
from coachdesk.hub.config import HubConfig
from coachdesk.hub.errors import HubError, StoreUnavailable
from coachdesk.hub.store import ACCEPTED, DUPLICATE, REJECTED, Attempt, Store

log = logging.getLogger("coachdesk.hub.ingest")

HTTP = "http"
FILE = "file"


@dataclass(frozen=True, slots=True)
class Outcome:
    status: int  # the HTTP status: 201, 200, or the refusal's 4xx/503
    outcome: str  # accepted, duplicate, rejected
    receipt: str | None = None
    error: str | None = None
    detail: str | None = None

    def body(self) -> dict[str, str]:
        if self.outcome == REJECTED:
            return {"error": self.error or "rejected", "detail": self.detail or ""}
        return {"status": self.outcome, "receipt": self.receipt or ""}


def too_large() -> HubError:
    return HubError(
        413, "too_large", f"The bundle is larger than {MAX_BUNDLE_BYTES // 1024} KiB, the most the hub accepts."
    )


def ingest(store: Store, data: bytes, config: HubConfig, *, source: str, now: str | None = None) -> Outcome:
    """Check and keep one bundle (its bytes as received). Never raises for anything the sender did."""
    at = now or utc_stamp()
    bundle: Bundle | None = None
    try:
        if len(data) > MAX_BUNDLE_BYTES:
            raise too_large()
        try:
            bundle = parse_bundle_bytes(data)
        except ValidationError as exc:
            raise HubError(400, "invalid_bundle", exc.message) from None
        check_scope(bundle, config)
        key = store.device_public_key(bundle.device_id)
        if key is None:
            raise HubError(
                401,
                "unknown_device",
                "device_id: this device is not enrolled with the hub; enrol it with a token from the programme team.",
            )
        if not verify(bundle, key):
            raise HubError(401, "bad_signature", "signature: the bundle is not signed by this device's enrolled key.")
        receipt = receipt_of(bundle.document)
        decision = store.accept(
            bundle,
            receipt,
            _attempt(at, source, outcome=ACCEPTED, status=201, error=None, bundle=bundle, receipt=receipt),
        )
        if decision.outcome == ACCEPTED:
            log.info(
                "bundle accepted (%s): device %s, %s revision %d",
                source,
                bundle.device_id,
                bundle.period,
                bundle.revision,
            )
            return Outcome(201, ACCEPTED, receipt)
        if decision.outcome == DUPLICATE:
            _log(store, _attempt(at, source, outcome=DUPLICATE, status=200, error=None, bundle=bundle, receipt=receipt))
            return Outcome(200, DUPLICATE, receipt)
        if bundle.revision == decision.stored_revision:
            raise HubError(
                409,
                "stale_revision",
                f"revision: revision {bundle.revision} of {bundle.period} from this device was received already with "
                "other counts; changed counts are sent as a higher revision.",
            )
        raise HubError(
            409,
            "stale_revision",
            f"revision: the hub holds revision {decision.stored_revision} of {bundle.period} from this device; "
            f"revision {bundle.revision} is not above it.",
        )
    except DBAPIError as exc:
        log.warning("bundle not stored (%s): the store failed with %s", source, type(exc.orig).__name__)
        refusal = StoreUnavailable()
        return Outcome(refusal.status, REJECTED, error=refusal.code, detail=refusal.detail)
    except HubError as exc:
        return refuse(store, exc, source=source, bundle=bundle, now=at)


def refuse(
    store: Store, error: HubError, *, source: str, bundle: Bundle | None = None, now: str | None = None
) -> Outcome:
    """Log a refused delivery (our code for it, not its sentence) and make the answer."""
    # The detail may quote the body: it goes back to the sender only.
    log.info("bundle rejected (%s): %d %s", source, error.status, error.code)
    _log(
        store,
        _attempt(
            now or utc_stamp(),
            source,
            outcome=REJECTED,
            status=error.status,
            error=error.code,
            bundle=bundle,
            receipt=None,
        ),
    )
    return Outcome(error.status, REJECTED, error=error.code, detail=error.detail)


def check_scope(bundle: Bundle, config: HubConfig) -> None:
    """The hub's own programme and practice list, where the operator set them."""
    if config.programme is not None and bundle.programme != config.programme:
        raise HubError(400, "invalid_bundle", f"programme: this hub receives bundles of {config.programme!r} only.")
    if config.practices is not None:
        for i, cell in enumerate(bundle.cells):
            if cell.practice not in config.practices:
                problem = f"{cell.practice!r} is not a practice of this programme."
                raise HubError(400, "invalid_bundle", f"cells[{i}].practice: {problem}")


def _attempt(
    at: str, source: str, *, outcome: str, status: int, error: str | None, bundle: Bundle | None, receipt: str | None
) -> Attempt:
    return Attempt(
        at=at,
        source=source,
        outcome=outcome,
        status=status,
        error=error,
        device_id=bundle.device_id if bundle else None,
        period=bundle.period if bundle else None,
        revision=bundle.revision if bundle else None,
        receipt=receipt,
    )


def _log(store: Store, attempt: Attempt) -> None:
    try:
        store.log_attempt(attempt)
    except Exception as exc:  # the answer to the sender matters more than the log line
        log.warning("could not write the ingest log: %s", type(exc).__name__)
