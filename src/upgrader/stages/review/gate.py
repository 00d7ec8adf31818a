"""`propose`, `confirm` and `execute` refuse a batch whose review has red warnings (exit 1)
unless the signer passes ``--accept-red "<reason>"``; the acceptance (step, who, why, which
kinds) is recorded in the proposal file (``meta.acceptedRed``, under its checksum) and shown by
`review` and `confirm` to the signers after."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from upgrader.errors import InputError, UnsafeError
from upgrader.stages.review.report import ReviewReport

__all__ = ["accepted_lines", "gate", "gate_queued", "review_queued", "with_acceptance"]


def red_kinds(report: ReviewReport) -> list[str]:
    return sorted({w.kind for w in report.red})


SHOWN = 3  # red warnings a refusal spells out; `upgrader review` lists them all


def gate(report: ReviewReport, h: str, step: str, accept_red: str | None, by: str, network: str,
         proposal: Path | None = None) -> dict[str, Any] | None:
    """None when the review has no red warning; the acceptance to record when ``accept_red``
    gives a reason; else UnsafeError naming the red kinds and the first warnings (nothing is
    signed, posted or sent). It points at `upgrader review` only when ``proposal``, the file
    that command reads, exists: a refused `propose` has written nothing to review yet."""
    kinds = red_kinds(report)
    if not kinds:
        return None
    if accept_red is None:
        red = report.red
        said = "; ".join(f"{w.kind}: {w.message}" for w in red[:SHOWN])
        more = f"; and {len(red) - SHOWN} more" if len(red) > SHOWN else ""
        read = f"read `upgrader review {h} --network {network}`; " if proposal is not None and proposal.is_file() else ""
        raise UnsafeError(f"the review of {h} has {len(red)} red warning(s) ({', '.join(kinds)}): {said}{more}; {read}"
                          f"do not {step} it, or pass --accept-red \"<reason>\" to {step} anyway (recorded in the proposal file)")
    if not accept_red.strip():
        raise InputError("--accept-red needs a reason: --accept-red \"<why these red warnings are acceptable>\"")
    acceptance = {"step": step, "by": by, "reason": accept_red.strip(), "kinds": kinds}
    from upgrader.stages.review.report import acceptance_warning

    report.subject.accepted_red.append(acceptance)  # the review shown from now on says so
    report.warnings.append(acceptance_warning(acceptance))
    return acceptance


def gate_queued(net: Any, h: str, tx: Any, safe: str, step: str, accept_red: str | None, by: str) -> list[dict[str, Any]]:
    """`confirm` and `execute`: review queued ``h`` and refuse it while red unless accepted
    (then recorded in its proposal file); the acceptances made so far, this one included."""
    report, path = review_queued(net, h, tx, safe)
    record_acceptance(path, gate(report, h, step, accept_red, by, net.network.name, path))
    return list(report.subject.accepted_red)


def with_acceptance(batch: dict[str, Any], acceptance: dict[str, Any] | None) -> dict[str, Any]:
    """The batch file with one more acceptance in ``meta.acceptedRed``, its checksum redone."""
    from upgrader.safe.txbuilder import add_checksum

    if acceptance is None:
        return batch
    meta = {**batch["meta"], "acceptedRed": [*batch["meta"].get("acceptedRed", []), acceptance]}
    return add_checksum({**batch, "meta": meta})


def record_acceptance(path: Path, acceptance: dict[str, Any] | None) -> None:
    """Append the acceptance to the proposal file at ``path`` (when upgrader wrote one here)."""
    from upgrader.manifest.store import atomic_write
    from upgrader.safe.txbuilder import dump_batch_file
    from upgrader.inputs import read_json

    if acceptance is None or not path.is_file():
        return
    batch = read_json(path, "proposal")
    if isinstance(batch, dict) and isinstance(batch.get("meta"), dict):
        atomic_write(path, dump_batch_file(with_acceptance(batch, acceptance)))


def review_queued(net: Any, h: str, tx: Any, safe: str) -> tuple[ReviewReport, Path]:
    """The review of queued transaction ``h``: its proposal file under proposals/ when there is
    one (it names its plan and earlier acceptances), else the service's fields."""
    from upgrader.stages.review.context import network_context
    from upgrader.stages.review.report import review
    from upgrader.stages.review.subject import load_subject, subject_from_json

    ctx = network_context(net)
    path = ctx.proposals_dir / f"{h.lower()}.json"
    if path.is_file():
        subject = load_subject(str(path), ctx.proposals_dir)
    else:
        subject = subject_from_json({**tx.to_json(), "safe": safe, "chainId": net.chain_id}, f"service {h}", claimed_hash=h)
    return review(subject, ctx), path


def accepted_lines(report: ReviewReport) -> list[str]:
    """Earlier signers' acceptances of red warnings, one line each."""
    return [f"red warnings ({', '.join(a['kinds'])}) accepted at {a['step']} by {a['by']}: {a['reason']}"
            for a in report.subject.accepted_red]
