"""`upgrader check` reports for CI: GitHub Actions annotations, a Markdown summary for a
pull-request comment and a SARIF 2.1.0 log for code scanning. Text and JSON stay in
``check.run`` and ``CheckReport.to_json``."""

from __future__ import annotations

from typing import Any

from upgrader.check.engine import CheckReport, ContractResult
from upgrader.findings import Finding


def github_annotations(report: CheckReport) -> str:
    """One workflow command per finding (``::error file=…,line=…,title=…::message``), as GitHub
    Actions reads them from a step's output; then a plain summary line."""
    out = [_command(f, None) for f in report.errors]
    for result in report.contracts:
        out += [_command(f, result) for f in (*result.errors, *result.warnings)]
    out.append(_summary(report))
    return "\n".join(out) + "\n"


def _command(finding: Finding, result: ContractResult | None) -> str:
    props = {}
    source, _, line = (finding.location or "").rpartition(":")
    if source:
        props["file"] = source
        if line.isdigit() and int(line) > 0:
            props["line"] = line
    elif result is not None:
        props["file"] = result.contract.rpartition(":")[0]
    subject = f"{result.contract}{result.against}: " if result is not None else ""
    props["title"] = f"upgrader check: {finding.kind}"
    text = f"{subject}{finding.message}" + (f" — {finding.hint}" if finding.hint else "")
    rendered = ",".join(f"{key}={_escape_property(value)}" for key, value in props.items())
    return f"::{finding.severity} {rendered}::{_escape_data(text)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _summary(report: CheckReport) -> str:
    failed = sum(not c.ok for c in report.contracts)
    text = f"{len(report.contracts)} upgradeable contracts checked, {len(report.contracts) - failed} passed, {failed} failed"
    return text + (f", {len(report.errors)} build errors" if report.errors else "")


def markdown_summary(report: CheckReport) -> str:
    """A table fit for a pull-request comment: contract, reference, verdict, findings with hints."""
    head = "### upgrader check: " + ("✅ all upgradeable contracts pass" if report.ok else "❌ unsafe upgrade")
    lines = [head, ""]
    if report.errors:
        lines += ["Build errors:", ""] + [f"- {_finding(f)}" for f in report.errors] + [""]
    lines += ["| Contract | Reference | Verdict | Findings |", "| --- | --- | --- | --- |"]
    for r in report.contracts:
        reference = _cell(f"`{r.reference}`") if r.reference else "—"
        verdict = "✅ pass" if r.ok else "❌ fail"
        findings = "<br>".join(_cell(_finding(f)) for f in (*r.errors, *r.warnings)) or "—"
        lines.append(f"| {_cell(f'`{r.contract}`')} | {reference} | {verdict} | {findings} |")
    lines += ["", _summary(report)]
    return "\n".join(lines) + "\n"


def _finding(f: Finding) -> str:
    where = f" at `{f.location}`" if f.location else ""
    hint = f" — _{f.hint}_" if f.hint else ""
    return f"**{f.severity}** `{f.kind}`{where}: {f.message}{hint}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def sarif_log(report: CheckReport, version: str) -> dict[str, Any]:
    """A SARIF 2.1.0 log (OASIS, sarif-2.1/schema/sarif-schema-2.1.0.json): one run of the tool
    ``upgrader``, one result per finding, its rule id the finding's kind, its location the source
    file and line (the contract's file where the finding has none), the hint in the message and
    in the result's properties. Rules are the kinds that occur, in order of first occurrence."""
    found: list[tuple[Finding, ContractResult | None]] = [(f, None) for f in report.errors]
    for result in report.contracts:
        found += [(f, result) for f in (*result.errors, *result.warnings)]
    kinds = list(dict.fromkeys(f.kind for f, _ in found))
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "upgrader", "version": version, "rules": [_rule(kind) for kind in kinds]}},
                "results": [_result(f, r, kinds.index(f.kind)) for f, r in found],
            }
        ],
    }


def _rule(kind: str) -> dict[str, Any]:
    from upgrader.validate.kinds import RULES

    rule: dict[str, Any] = {"id": kind, "shortDescription": {"text": f"upgrader check: {kind}"}}
    known = RULES.get(kind)  # type: ignore[call-overload]
    if known is not None and known.doc.startswith("https://"):
        rule["helpUri"] = known.doc
    return rule


def _result(finding: Finding, result: ContractResult | None, index: int) -> dict[str, Any]:
    source, _, line = (finding.location or "").rpartition(":")
    physical: dict[str, Any] = {"artifactLocation": {"uri": source or (result.contract.rpartition(":")[0] if result else "")}}
    if source and line.isdigit() and int(line) > 0:
        physical["region"] = {"startLine": int(line)}
    subject = f"{result.contract}{result.against}: " if result is not None else ""
    text = subject + finding.message + (f"\n{finding.hint}" if finding.hint else "")
    properties: dict[str, Any] = {"hint": finding.hint}
    if result is not None:
        properties.update(contract=result.contract, reference=result.reference)
    return {
        "ruleId": finding.kind,
        "ruleIndex": index,
        "level": "warning" if finding.severity == "warning" else "error",
        "message": {"text": text},
        "locations": [{"physicalLocation": physical}],
        "properties": properties,
    }
