"""The encodings of ``upgrader.governance.operation`` against OpenZeppelin's own contracts on
Anvil: operation ids equal ``TimelockController.hashOperationBatch`` (5.7.0 and 4.9.6), proposal
ids equal ``Governor.hashProposal``, and the salt GovernorTimelockControl schedules with is
the one we compute (the operation we name is the one the Timelock holds after ``queue``)."""

from __future__ import annotations

import pytest
from eth_utils import to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st

from gov_fixture import mine, transact

pytestmark = pytest.mark.chain

addresses = st.binary(min_size=20, max_size=20).map(lambda b: to_checksum_address("0x" + b.hex()))
calls = st.lists(st.tuples(addresses, st.integers(0, 2**256 - 1), st.binary(max_size=100)), min_size=1, max_size=4)
words = st.binary(min_size=32, max_size=32)


@settings(max_examples=25)
@given(calls=calls, predecessor=words, salt=words)
def test_operation_id_is_hash_operation_batch_of_both_versions(world, calls, predecessor, salt):
    from upgrader.governance.operation import TimelockOperation

    op = TimelockOperation(tuple(c[0] for c in calls), tuple(c[1] for c in calls), tuple(c[2] for c in calls), predecessor, salt)
    for variant in ("open", "open-v4"):
        onchain = world.systems[variant].timelock_contract().functions.hashOperationBatch(
            list(op.targets), list(op.values), list(op.payloads), predecessor, salt).call()
        assert onchain == op.id, variant


@settings(max_examples=25)
@given(calls=calls, description=st.text(max_size=80))
def test_proposal_id_is_hash_proposal_of_both_versions(world, calls, description):
    from upgrader.governance.operation import GovernorProposal

    p = GovernorProposal(tuple(c[0] for c in calls), tuple(c[1] for c in calls), tuple(c[2] for c in calls), description)
    for variant in ("governor", "governor-v4"):
        onchain = world.systems[variant].governor_contract().functions.hashProposal(
            list(p.targets), list(p.values), list(p.calldatas), p.description_hash).call()
        assert onchain == p.id, variant


def test_schedule_and_execute_calldata_run_on_the_timelock(case):
    """The Safe schedules our scheduleBatch calldata; the Timelock holds our operation id with
    our delay; after the delay our executeBatch calldata runs it (executor open)."""
    from upgrader.governance.base import latest_timestamp
    from upgrader.governance.operation import TimelockOperation
    from upgrader.governance.timelock import operation_progress

    from gov_fixture import TWO_DAYS, safe_execute, warp

    c = case("open")
    s = c.system
    box = s.contract("Box", s.box)
    op = TimelockOperation((s.box,), (0,), (bytes.fromhex(box.encode_abi("transferOwnership", [s.safe])[2:]),), salt=b"\x07" * 32)
    safe_execute(s, s.timelock, op.schedule_data(TWO_DAYS))
    tl = s.timelock_contract()
    assert tl.functions.getTimestamp(op.id).call() == latest_timestamp(c.w3) + TWO_DAYS
    assert operation_progress(c.w3, s.timelock, "0x" + op.id.hex(), "0x", "timelock").state == "scheduled"
    warp(c.w3, TWO_DAYS)
    assert operation_progress(c.w3, s.timelock, "0x" + op.id.hex(), "0x", "timelock").state == "ready"
    c.w3.eth.send_transaction({"from": c.w3.eth.accounts[9], "to": s.timelock, "data": "0x" + op.execute_data().hex()})
    assert box.functions.owner().call() == s.safe
    assert operation_progress(c.w3, s.timelock, "0x" + op.id.hex(), "0x", "timelock").state == "executed"


def test_cancelled_operation_reads_cancelled(case):
    from upgrader.governance.operation import TimelockOperation, calldata
    from upgrader.governance import abi
    from upgrader.governance.timelock import operation_progress

    from gov_fixture import TWO_DAYS, safe_execute

    s = case("open").system
    op = TimelockOperation((s.box,), (0,), (b"\x12\x34",), salt=b"\x09" * 32)
    assert operation_progress(s.w3, s.timelock, "0x" + op.id.hex(), "0x", "timelock").state == "not-scheduled"
    safe_execute(s, s.timelock, op.schedule_data(TWO_DAYS))
    safe_execute(s, s.timelock, calldata(abi.CANCEL, [op.id]))
    assert operation_progress(s.w3, s.timelock, "0x" + op.id.hex(), "0x", "timelock").state == "cancelled"


@pytest.mark.parametrize("variant", ["governor", "governor-v4"])
def test_governor_queues_the_operation_we_compute(case, variant):
    """propose → votes → queue on OZ's Governor: the Timelock then holds the operation id our
    ``timelock_operation`` names (5.x salt: governor address XOR description hash; 4.9: the hash)."""
    from upgrader.governance.governor import proposal_state
    from upgrader.governance.operation import GovernorProposal

    s = case(variant).system
    box = s.contract("Box", s.box)
    p = GovernorProposal((s.box,), (0,), (bytes.fromhex(box.encode_abi("transferOwnership", [s.safe])[2:]),), f"give Box to the Safe ({variant})")
    gov = s.governor_contract()
    c = s.w3
    c.eth.send_transaction({"from": s.holders[0], "to": s.governor, "data": "0x" + p.propose_data().hex()})
    assert proposal_state(c, s.governor, p.id) == "Pending"
    mine(c, 2)
    for h in s.holders[:2]:
        transact(c, gov.functions.castVote(p.id, 1), h)
    mine(c, 25)
    assert proposal_state(c, s.governor, p.id) == "Succeeded"
    c.eth.send_transaction({"from": s.holders[2], "to": s.governor, "data": "0x" + p.queue_data().hex()})
    op = p.timelock_operation(s.governor, s.oz)
    assert s.timelock_contract().functions.getTimestamp(op.id).call() > 1
    assert proposal_state(c, s.governor, p.id) == "Queued"


@pytest.mark.parametrize("oz", ["5", "4"])
def test_the_built_in_timelock_and_governor_events_are_openzeppelins(world, oz):
    """governance.abi.EVENTS (what review decodes with when the build lacks the Timelock) against
    the ABIs solc gives for OpenZeppelin's own TimelockController and Governor, 5.x and 4.9: same
    names, types, order and indexing (ProposalQueued's second argument is named eta in 4.9)."""
    from gov_fixture import GOVERNOR_FQN, TIMELOCK_FQN  # the fixture compiles OpenZeppelin 5.7.0 and 4.9.6 from node_modules

    from upgrader.build import artifacts
    from upgrader.governance.abi import EVENTS

    built: dict[str, list[tuple[str, bool]]] = {}
    for fqn in (TIMELOCK_FQN[oz], GOVERNOR_FQN[oz][0]):
        for e in artifacts.find(world.build_info, fqn).abi:
            if e["type"] == "event":
                built[e["name"]] = [(i["type"], i["indexed"]) for i in e["inputs"]]
    for e in EVENTS:
        assert built.get(e["name"]) == [(i["type"], i["indexed"]) for i in e["inputs"]], e["name"]
