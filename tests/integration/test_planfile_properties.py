"""Plan identity under hypothesis: the hash is a function of content, not of key order; any
single change to the content changes it; and ``load_plan`` refuses any tampered field, of
random plan-shaped dicts and of a real plan made on the session chain."""

from __future__ import annotations

import copy
import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integration_helpers import UPGRADED, network_context
from upgrader.errors import InputError
from upgrader.manifest import canonical_json
from upgrader.stages.planfile import PLAN_SCHEMA, load_plan, plan_hash, seal, write_plan

Path_ = tuple[Any, ...]  # keys and indexes from the root to a value

leaves = st.none() | st.booleans() | st.integers(-(2**80), 2**80) | st.text(max_size=8)
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=24,
)
plan_bodies = st.dictionaries(
    st.text(min_size=1, max_size=10).filter(lambda k: k not in ("schema", "plan_hash")), values, min_size=1, max_size=6,
).map(lambda d: {**d, "schema": PLAN_SCHEMA})


def shuffled(value: Any, rnd: random.Random) -> Any:
    """The same JSON value with every dict's keys inserted in a random order."""
    if isinstance(value, dict):
        keys = list(value)
        rnd.shuffle(keys)
        return {k: shuffled(value[k], rnd) for k in keys}
    if isinstance(value, list):
        return [shuffled(v, rnd) for v in value]
    return value


def paths(value: Any, prefix: Path_ = ()) -> list[Path_]:
    """Every position in the value (containers and leaves), root excluded."""
    out: list[Path_] = []
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for k, v in children:
        out.append((*prefix, k))
        out.extend(paths(v, (*prefix, k)))
    return out


def changed(value: Any) -> Any:
    """A different JSON value of the same shape family."""
    match value:
        case bool():
            return not value
        case int():
            return value + 1
        case str():
            return value + "x"
        case None:
            return 0
        case list():
            return [*value, None]
        case dict():
            return {**value, "\x00new": None} if "\x00new" not in value else {}
    raise AssertionError(value)


def mutate(data: Any, where: Path_, rename: bool = False) -> Any:
    """A deep copy with the value at ``where`` changed (or, for a dict key, renamed)."""
    out = copy.deepcopy(data)
    parent = out
    for k in where[:-1]:
        parent = parent[k]
    last = where[-1]
    if rename and isinstance(parent, dict):
        new_key = last + "_"
        while new_key in parent:
            new_key += "_"
        parent[new_key] = parent.pop(last)
    else:
        parent[last] = changed(parent[last])
    return out


@given(plan=plan_bodies, seed=st.integers(0, 2**32))
def test_hash_ignores_key_order(plan, seed):
    other = shuffled(plan, random.Random(seed))
    assert plan_hash(other) == plan_hash(plan)
    assert canonical_json(seal(other)) == canonical_json(seal(plan))


@given(plan=plan_bodies)
def test_hash_ignores_its_own_field(plan):
    sealed = seal(plan)
    assert plan_hash(sealed) == sealed["plan_hash"]
    assert seal(sealed) == sealed
    assert seal({**sealed, "plan_hash": "0x" + "00" * 32}) == sealed


@given(data=st.data(), plan=plan_bodies, rename=st.booleans())
def test_any_single_change_changes_the_hash(data, plan, rename):
    where = data.draw(st.sampled_from(paths(plan)))
    assert plan_hash(mutate(plan, where, rename)) != plan_hash(plan)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("plans")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), plan=plan_bodies, rename=st.booleans())
def test_load_plan_round_trips_and_refuses_any_tampered_field(scratch, data, plan, rename):
    # a plan-shaped dict needs the fields load_plan requires before it checks anything else
    plan = {**plan, "network": "test", "chain_id": 31337, "manifest_hash": "0x" + "ab" * 32, "upgrades": [], "calls": [],
            "safe": {"address": "0x" + "11" * 20, "version": "1.4.1", "threshold": 1, "owners": ["0x" + "22" * 20]}}
    sealed = seal(plan)
    path = write_plan(sealed, scratch, scratch / "plan.json")
    assert load_plan(path) == sealed
    where = data.draw(st.sampled_from(paths(sealed)))
    path.write_text(canonical_json(mutate(sealed, where, rename)))
    with pytest.raises(InputError):
        load_plan(path)


# -- a real plan -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_plan(system, tmp_path_factory) -> dict:
    """The demo's V1 -> V2 plan (making a plan sends no transaction: the chain is untouched)."""
    from upgrader.stages.plan import make_plan

    folder = tmp_path_factory.mktemp("deployments")
    shutil.copytree(system.config.deployments, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("plans", "proposals"))
    plan = make_plan(network_context(system.config, system.w3, system.build_info, folder))
    assert [u["proxy"] for u in plan["upgrades"]] == UPGRADED
    return plan


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), rename=st.booleans())
def test_real_plan_refuses_any_tampered_field(real_plan, scratch, data, rename):
    where = data.draw(st.sampled_from(paths(real_plan)))
    path = scratch / "real.json"
    path.write_text(canonical_json(mutate(real_plan, where, rename)))
    with pytest.raises(InputError) as info:
        load_plan(path)
    assert "re-run `upgrader plan`" in str(info.value) or "not an upgrader plan" in str(info.value)


def test_real_plan_hash_is_stable_under_reformatting(real_plan, scratch):
    """Pretty-printed, reordered, the same plan is still accepted: identity is content."""
    path = scratch / "pretty.json"
    path.write_text(json.dumps(shuffled(real_plan, random.Random(7)), indent=4))
    assert load_plan(path) == real_plan
