"""Safe's off-chain services: one client (``client``; its exceptions in ``exceptions``) speaking
two dialects (``dialects``: the Transaction Service, the default, and the opt-in Queue Service)
over HTTP (``http``), with responses validated into typed values (``models``) and client-side
pacing (``pacing``); and a local service (``local/``) answering both dialects with the
Transaction Service's rules, for dev chains and tests."""

from upgrader.safe_service.client import (
    Confirmation,
    Delegate,
    MultisigTx,
    RetryPolicy,
    SafeInfo,
    ServiceAuthError,
    ServiceBadResponse,
    ServiceError,
    ServiceQuotaSpent,
    ServiceRejected,
    ServiceUnavailable,
    TransactionServiceClient,
)
from upgrader.safe_service.dialects import DIALECTS, default_url
from upgrader.safe_service.http import HttpTransactionService

__all__ = [
    "Confirmation", "DIALECTS", "Delegate", "MultisigTx", "RetryPolicy", "SafeInfo", "ServiceAuthError",
    "ServiceBadResponse", "ServiceError", "ServiceQuotaSpent", "ServiceRejected", "ServiceUnavailable", "TransactionServiceClient",
    "HttpTransactionService", "default_url",
]
