"""The hub's refusals: an HTTP status, a short code and a sentence. The same object answers an HTTP
request (`{"error": code, "detail": detail}`) and a line of `coachdesk-hub import`."""

from __future__ import annotations

from coachdesk.domain.errors import CoachDeskError


class HubError(CoachDeskError):
    """A request the hub refuses, or a store it cannot use. `detail` may quote the sender's input:
    it goes back to the sender, never into a log line."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail

    def body(self) -> dict[str, str]:
        return {"error": self.code, "detail": self.detail}


class StoreUnavailable(HubError):
    """The database did not answer, or stayed busy longer than the hub waits."""

    def __init__(self, detail: str = "The hub's database is not answering; try again in a minute.") -> None:
        super().__init__(503, "store_unavailable", detail)
