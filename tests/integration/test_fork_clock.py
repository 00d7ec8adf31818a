"""A fork's clock (sim.runner.pin_clock, warp): Anvil stamps a fork's new blocks from the wall
clock (the forked block's timestamp plus the seconds since the fork started), so what a batch
stores from block.timestamp (a Timelock's ETA) depended on when and how fast the review ran;
two signers' validation documents of one pinned block differed. Pinned, the blocks follow the
forked block, 12 s apart, whenever the run happens; a warp still jumps exactly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from upgrader.chain import anvil as anvil_mod
from upgrader.chain.rpc import connect
from upgrader.sim.runner import BLOCK_TIME, pin_clock, warp

pytestmark = pytest.mark.chain
ROOT = Path(__file__).resolve().parents[2]


def _mine(w3) -> int:
    w3.provider.make_request("evm_mine", [])
    return int(w3.eth.get_block("latest")["timestamp"])


@pytest.mark.parametrize("pinned", [False, True], ids=["wall-clock", "pinned"])
def test_a_pinned_fork_stamps_its_blocks_from_the_forked_block(anvil, pinned):
    w3 = connect(anvil.url)
    w3.provider.make_request("evm_mine", [])
    block = int(w3.eth.block_number)
    forked = int(w3.eth.get_block(block)["timestamp"])
    with anvil_mod.fork(anvil.url, block, root=ROOT) as node:
        f = connect(node.url)
        if pinned:
            assert pin_clock(f) == forked + BLOCK_TIME
        time.sleep(3)  # a slow run, or a second signer's
        stamps = [_mine(f), _mine(f)]
        jumped = warp(f, 2 * 86400)
        after = _mine(f)
    if pinned:
        assert stamps == [forked + BLOCK_TIME, forked + 2 * BLOCK_TIME]
        assert jumped == forked + 2 * BLOCK_TIME + 2 * 86400 and after == jumped + BLOCK_TIME
    else:  # what the review's fork did before: the wall clock shows through
        assert stamps[0] >= forked + 3
        assert jumped >= stamps[1] + 2 * 86400 and after >= jumped
