"""A finding: one typed statement about a contract, shared by the layout comparator and
the unsafe-pattern validator so that reports render both the same way."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    kind: str
    message: str
    hint: str | None = None
    location: str | None = None  # "<source unit>:<line>"
    severity: Severity = "error"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("severity")
        return data
