"""A manifest that is wrong where it enters (issue 12, "bad input"): each case ends with exit 2
and one line naming the fault; status and plan write nothing; simulate starts no fork."""

from __future__ import annotations

import pytest
from faults_helpers import assert_fails, planned

pytestmark = pytest.mark.chain

NO_CODE = "0x000000000000000000000000000000000000dEaD"


def test_proxy_address_not_hex(cli):
    cli.edit_manifest(lambda m: m["proxies"][0].update(address="0xZZZ"))
    before = cli.files()
    for command in ("status", "plan"):
        assert_fails(cli.run(command), 2, "'0xZZZ' is not an address")
    assert cli.files() == before


def test_safe_address_not_an_address(cli):
    cli.edit_manifest(lambda m: m["safe"].update(address="not-an-address"))
    before = cli.files()
    line = assert_fails(cli.run("plan"), 2, "not an address")
    assert "safe.address" in line
    assert cli.files() == before


def test_address_with_a_wrong_checksum(cli):
    cli.edit_manifest(lambda m: m["safe"].update(address=m["safe"]["address"][:-1] + ("A" if m["safe"]["address"][-1] != "A" else "B")))
    assert_fails(cli.run("status"), 2, "checksum")


def test_safe_without_code_plan_writes_nothing(cli):
    cli.edit_manifest(lambda m: m["safe"].update(address=NO_CODE))
    before = cli.files()
    assert_fails(cli.run("plan"), 2, f"Safe {NO_CODE} has no code")
    assert cli.files() == before
    assert not cli.plans.exists()


def test_safe_without_code_simulate_refuses_before_forking(cli):
    plan_path, _ = planned(cli)
    cli.edit_manifest(lambda m: m["safe"].update(address=NO_CODE))
    before = cli.files()
    proc = cli.spawn("simulate", str(plan_path))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err
    assert out == ""
    assert f"Safe {NO_CODE} has no code" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert cli.files() == before  # no simulation report


def test_duplicated_proxy_entry(cli):
    cli.edit_manifest(lambda m: m["proxies"].append(dict(m["proxies"][1])))
    before = cli.files()
    assert_fails(cli.run("plan"), 2, "two proxy entries have the name")
    assert cli.files() == before


def test_same_proxy_address_under_two_names(cli):
    cli.edit_manifest(lambda m: m["proxies"].append({**m["proxies"][1], "name": "Copy"}))
    assert_fails(cli.run("status"), 2, "two proxy entries have the address")


def test_no_owners(cli):
    cli.edit_manifest(lambda m: m["safe"].update(owners=[]))
    assert_fails(cli.run("status"), 2, "the Safe has no owners")


def test_threshold_above_owner_count(cli):
    cli.edit_manifest(lambda m: m["safe"].update(threshold=len(m["safe"]["owners"]) + 1))
    assert_fails(cli.run("plan"), 2, "threshold 4 is above the 3 owner(s)")


def test_schema_key_missing(cli):
    cli.edit_manifest(lambda m: m.pop("schema"))
    before = cli.files()
    assert_fails(cli.run("plan"), 2, '"schema" key is missing')
    assert cli.files() == before


def test_corrupt_untracked_manifest_does_not_say_git(cli):
    cli.manifest_path.write_text('{"schema": "upgrader/manifest@1", ')
    line = assert_fails(cli.run("status"), 2, "corrupt")
    assert "from git" not in line and "git does not track it" in line
