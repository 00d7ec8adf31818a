"""The Safe service client's exceptions, by whose fault they are: the request or the settings
(``InputError``: 4xx, a body of another shape, an operation the dialect lacks, a spent monthly
quota) or the service's (``UnavailableError``: transient failures past the retries)."""

from __future__ import annotations

from typing import Any

from upgrader.errors import InputError, UnavailableError, UpgraderError

__all__ = ["QUOTA_DETAIL", "ServiceAuthError", "ServiceBadResponse", "ServiceError", "ServiceQuotaSpent", "ServiceRejected",
           "ServiceUnavailable", "ServiceUnsupported"]

class ServiceError(UpgraderError):
    """Something went wrong talking to the Safe service (exit 2). The subclasses say whose
    fault: the request or the settings (``InputError``), or the service's (``UnavailableError``)."""


class ServiceRejected(ServiceError, InputError):
    """The service answered 4xx: the request is wrong. ``service_message`` is the service's own text."""

    def __init__(self, status: int, message: str, method: str = "", path: str = "", title: str = "Safe Transaction Service",
                 body: Any = None) -> None:
        super().__init__(f"{title} rejected {method} {path} ({status}): {message}")
        self.status = status
        self.service_message = message
        self.body = body  # the decoded error body, as the service sent it


class ServiceAuthError(ServiceRejected):
    """401/403: no API key, or one the service does not accept."""


class ServiceBadResponse(ServiceError, InputError):
    """A success status with a body that is not the JSON we asked for (the URL points elsewhere)."""


class ServiceUnsupported(ServiceError, InputError):
    """The configured dialect has no request for this operation."""


class ServiceUnavailable(ServiceError, UnavailableError):
    """Transient failures (5xx, 429, timeouts) went on past the retry budget or the command's
    deadline: an outage, not bad input."""


class ServiceQuotaSpent(ServiceRejected):
    """429 with Safe's monthly quota message: waiting will not help this month. Its message is
    just the fix (one line)."""

    def __init__(self, message: str, body: Any = None) -> None:
        Exception.__init__(self, message)
        self.status, self.service_message, self.body = 429, message, body


QUOTA_DETAIL = "Monthly quota exceeded."
