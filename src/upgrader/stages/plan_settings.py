"""What of ``[modules.<name>]`` decides a plan's verdicts beyond its calls, recorded in the plan
so its hash covers them: the validation kinds the checker allowed (``unsafe_allow``, plus
``--unsafe-allow`` at plan time) and the smoke calls `simulate` makes. `simulate` refuses a plan
whose module settings (smoke calls, reinitializer, allowed validation kinds) changed since it was made."""

from __future__ import annotations

from typing import Any

from upgrader.errors import InputError
from upgrader.stages.context import NetworkContext

__all__ = ["ensure_settings", "module_allow", "module_settings"]


def _json_setting(value: Any, where: str) -> Any:
    """A setting as canonical JSON holds it (the plan hash covers it): no floats."""
    if isinstance(value, float):
        raise InputError(f"{where}: {value} is a float; write it as an integer or a string")
    if isinstance(value, (list, tuple)):
        return [_json_setting(v, where) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_setting(v, where) for k, v in value.items()}
    return value


def module_settings(ctx: NetworkContext, name: str, allow: frozenset[str]) -> dict[str, Any]:
    """What of ``[modules.<name>]`` decides a verdict beyond the calls: the validation kinds the
    checker allowed and the smoke calls `simulate` makes. Recorded in the plan, so its hash
    covers them; `simulate` runs the plan's, and refuses a plan whose module settings changed."""
    module = ctx.config.modules[name]
    where = f"upgrader.modules.{name}.smoke"
    return {"unsafe_allow": sorted(allow),
            "smoke": [{"function": c.function, "args": _json_setting(list(c.args), where), "expect": _json_setting(c.expect, where)}
                      for c in module.smoke]}


def ensure_settings(ctx: NetworkContext, plan: dict[str, Any]) -> None:
    """The plan's recorded module settings (smoke calls, reinitializer, allowed validation kinds)
    are the settings' now; a plan made under other settings is refused (exit 2): its verdicts were
    about those (a kind the team has since stopped allowing must not pass on an older plan)."""
    given = frozenset(plan.get("unsafe_allow_command_line") or ())
    for u in plan["upgrades"]:
        name = u["proxy"]
        module = ctx.config.modules.get(name)
        if module is None or u.get("smoke") is None:
            continue  # a module since removed, or a plan older than recorded settings
        changed = []
        if module_settings(ctx, name, frozenset())["smoke"] != u["smoke"]:
            changed.append("smoke")
        reinit = module.reinitializer
        now = (reinit.function, [str(a) if isinstance(a, int) else a for a in reinit.args]) if reinit else (None, [])
        if now != (u["init"]["function"], list(u["init"].get("args") or [])):
            changed.append("reinitializer")
        detail = ""
        if u.get("unsafe_allow") is not None and sorted(module_allow(ctx, name, given)) != sorted(u["unsafe_allow"]):
            changed.append("unsafe_allow")
            detail = (f": the plan allows [{', '.join(u['unsafe_allow'])}], the settings now [{', '.join(sorted(module_allow(ctx, name)))}]"
                      + (f" and the plan's --unsafe-allow [{', '.join(sorted(given))}]" if given else ""))
        if changed:
            raise InputError(f"plan {plan['plan_hash'][:18]}… was made with other upgrader.modules.{name} settings "
                             f"({', '.join(changed)} changed since{detail}); re-run `upgrader plan`")


def module_allow(ctx: NetworkContext, name: str, extra: frozenset[str] = frozenset()) -> frozenset[str]:
    """``[modules.<name>] unsafe_allow`` plus ``--unsafe-allow`` of this run (plan time only)."""
    from upgrader.check.engine import parse_allowed

    declared = frozenset(ctx.config.modules[name].unsafe_allow) if name in ctx.config.modules else frozenset()
    try:
        declared = parse_allowed(declared)
    except InputError as exc:
        raise InputError(f"upgrader.modules.{name}.unsafe_allow: {exc}") from None
    return declared | parse_allowed(extra)
