"""Plain-text explanation of a contract's findings, in the style of a compiler error:

     ✘  src/Box.sol:Box
          src/Box.sol:12: error[constructor]: Contract `Box` has a constructor with a body or modifiers
            > Move the code into an initializer; ...
            > https://docs.openzeppelin.com/...
"""

from __future__ import annotations

from collections.abc import Sequence

from upgrader.findings import Finding
from upgrader.validate.kinds import RULES


def explain(contract_fqn: str, findings: Sequence[Finding]) -> str:
    ok = not any(f.severity == "error" for f in findings)
    lines = [f" {'✔' if ok else '✘'}  {contract_fqn}"]
    for finding in findings:
        lines.append(f"      {finding.location}: {finding.severity}[{finding.kind}]: {finding.message}")
        if finding.hint:
            lines.append(f"        > {finding.hint}")
        rule = RULES.get(finding.kind)  # type: ignore[call-overload]
        if rule is not None:
            lines.append(f"        > {rule.doc}")
    return "\n".join(lines)
