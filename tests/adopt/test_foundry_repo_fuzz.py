"""Issue 25, done when: an adopted Foundry fixture fuzzes with no handler written by hand. The
team's Foundry repository (tests/adopt/foundry_repo) deployed by its own `forge script`,
adopted with upgrader's commands (safe create, import, handover), used a little, then
`upgrader fuzz --seed 1` against the team's V2s: the calls come from the ABIs of the build and
the values the chain already holds. The honest V2s pass, with the cap raise declared in
`[modules.TokenVault.fuzz] changed`; a V2 that counts an epoch twice is found, shrunk, and
reproduced on Anvil. README's "Property-based upgrade tests" blocks for this repository (the
settings, the invariants file, the team's test file on the pytest plugin) run as written."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from flow import ANVIL_KEY0, FORGE, ROOT, Flow, make_repository, team_env
from test_foundry_repo_flow import BROADCAST, TEMPLATE, settings, use

pytestmark = pytest.mark.chain

# V2 raises the cap (constructor argument 5000 for V1's 1000): reading it, and a deposit V1
# refuses, differ on purpose
DECLARED = '\n[modules.TokenVault.fuzz]\nchanged = ["cap()", "deposit(uint256)"]\n'

DOUBLE_COUNT = "RewardsDistributorDoubleCount"


def double_count_v2() -> str:
    """The team's V2 of the distributor with a planted bug: an epoch advanced once counts twice."""
    text = (TEMPLATE / "v2" / "RewardsDistributorUpgradeableV2.sol").read_text()
    assert text.count("epochs += 1;") == 1 and text.count("contract RewardsDistributorUpgradeableV2 is") == 1
    return (text.replace("epochs += 1;", "epochs += 2; // planted: counted twice")
                .replace("contract RewardsDistributorUpgradeableV2 is", f"contract {DOUBLE_COUNT} is"))


@dataclass
class Adopted:
    repo: Path
    flow: Flow
    settings: str  # upgrader.toml with the modules pointing at the team's V2s

    def fuzz(self, toml: str) -> dict:
        (self.repo / "upgrader.toml").write_text(toml)
        shutil.rmtree(self.repo / ".hypothesis", ignore_errors=True)  # each test starts with no remembered example
        shutil.rmtree(self.repo / "deployments" / "dev" / "fuzz", ignore_errors=True)
        step = self.flow.run("fuzz", "fuzz", "--network", "dev", "--seed", "1", "--json")
        assert step.exit_code in (0, 1), f"exit {step.exit_code}\n{step.stdout[-2000:]}\n{step.stderr[-2000:]}"
        return {**step.json(), "exit_code": step.exit_code}


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Adopted]:
    from upgrader.chain import anvil as anvil_mod
    from upgrader.chain.rpc import connect

    tmp = tmp_path_factory.mktemp("foundry-fuzz")
    repo = make_repository(TEMPLATE, tmp / "team", tmp)
    flow = Flow(repo, team_env(tmp))
    service_port = anvil_mod.free_port()
    with anvil_mod.running(["--silent"], root=ROOT) as node:
        w3 = connect(node.url)
        accounts = list(w3.eth.accounts)
        owners = sorted(accounts[1:4], key=lambda a: int(a, 16))
        solc = flow.ok("solc path", "solc", "path", "0.8.21").stdout.strip()
        flow.ok("forge script", "script", "script/Deploy.s.sol", "--rpc-url", node.url, "--broadcast",
                "--private-key", ANVIL_KEY0, program=FORGE, env={"FOUNDRY_SOLC": solc})
        (repo / "upgrader.toml").write_text(settings(node.url, service_port))
        safe = flow.ok("safe create", "safe", "create", "--network", "dev", "--owners", ",".join(owners), "--threshold", "2",
                       "--json").json()["address"]
        flow.ok("import", "import", "--network", "dev", "--from-forge-broadcast", BROADCAST, "--safe", safe)
        manifest = json.loads((repo / "deployments" / "dev" / "manifest.json").read_text())
        proxies = {p["name"]: p["address"] for p in manifest["proxies"]}
        flow.ok("handover", "handover", "--network", "dev", "--yes", "--json")
        use(w3, proxies, accounts[5])
        shutil.copytree(TEMPLATE / "v2", repo / "src" / "v2")
        (repo / "src" / "v2" / f"{DOUBLE_COUNT}.sol").write_text(double_count_v2())
        yield Adopted(repo, flow, settings(node.url, service_port, proxies))


def test_the_honest_v2s_pass(adopted: Adopted) -> None:
    found = adopted.fuzz(adopted.settings + DECLARED)
    assert found["exit_code"] == 0 and found["ok"], found.get("trace")
    assert found["examples"] == 1000 and found["calls"] > 1000, found  # the default examples, calls drawn from the ABIs


def test_without_the_declaration_the_raised_cap_is_a_divergence(adopted: Adopted) -> None:
    """Not a fuzzer that passes anything: undeclared, the cap raise shows as a deposit V1 refuses."""
    found = adopted.fuzz(adopted.settings)
    assert found["exit_code"] == 1 and found["trace"]["failure"]["kind"] in {"divergence", "view-changed"}, found["trace"]
    assert "TokenVault" in found["trace"]["failure"]["message"]


def test_a_planted_double_count_is_found_and_shrunk(adopted: Adopted) -> None:
    planted = adopted.settings.replace('target = "RewardsDistributorUpgradeableV2"', f'target = "{DOUBLE_COUNT}"')
    assert planted != adopted.settings
    found = adopted.fuzz(planted + DECLARED)
    assert found["exit_code"] == 1, found
    failure = found["trace"]["failure"]
    assert failure["kind"] in {"state-diverged", "divergence"} and "RewardsDistributor" in failure["message"], failure
    calls = [s for s in found["trace"]["steps"] if "upgrade" not in s]
    assert 1 <= len(calls) <= 5 and any(s["function"] == "advance()" for s in calls), calls
    assert found["confirmed_on"] == "anvil", found
    assert Path(found["example"]).is_file()


def readme_section() -> str:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Property-based upgrade tests"):]
    return section[:section.index("\n## ", 10)]


def readme_blocks() -> tuple[str, str, str]:
    """The section's settings, invariants file and test file."""
    section = readme_section()
    toml = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    invariants, tests = re.findall(r"```python\n(.*?)```", section, re.S)
    return toml, invariants, tests


def test_the_readme_blocks_run_as_written(adopted: Adopted) -> None:
    toml, invariants, tests = readme_blocks()
    assert 'invariants = "test/upgrade_invariants.py"' in toml and "def test_" in tests
    folder = adopted.repo / "test"
    folder.mkdir(exist_ok=True)
    (folder / "upgrade_invariants.py").write_text(invariants)
    (folder / "test_upgrade.py").write_text(tests)
    try:
        found = adopted.fuzz(adopted.settings + "\n" + toml)
        assert found["exit_code"] == 0 and found["ok"], found.get("trace")
        command = re.search(r"run with `pytest (.*?)`", " ".join(readme_section().split())).group(1).split()
        assert command == ["-p", "no:ape_test", "test/test_upgrade.py", "--upgrader-network", "dev"], command
        ran = adopted.flow.run("pytest", *command, program=ROOT / ".venv" / "bin" / "pytest", timeout=300)
        assert ran.exit_code == 0 and "2 passed" in ran.stdout, ran.stdout[-3000:] + ran.stderr[-2000:]
        assert (adopted.repo / ".hypothesis").is_dir()
    finally:
        shutil.rmtree(folder)
