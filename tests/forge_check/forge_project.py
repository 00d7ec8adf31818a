"""A Foundry project written by the tests: OpenZeppelin 5 upgradeable contracts (from
node_modules, through remappings) whose state lives only in ERC-7201 namespaces, built with the
real forge from npm into a temporary folder. Shared by the tests of this folder (a uniquely
named module: several test folders have a conftest)."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORGE = ROOT / "node_modules" / ".bin" / "forge"
OZ = ROOT / "node_modules" / ".bin" / "openzeppelin-upgrades-core"
SOLC = Path.home() / ".solcx" / "solc-v0.8.28"

FOUNDRY_TOML = """[profile.default]
src = "src"
out = "out"
libs = ["node_modules"]
solc = "{solc}"
offline = true
build_info = true
extra_output = ["storageLayout"]
remappings = [
  "@openzeppelin/contracts-upgradeable/=node_modules/@openzeppelin/contracts-upgradeable/",
  "@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/",
]
"""

HEADER = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import {{Initializable}} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {{OwnableUpgradeable}} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {{UUPSUpgradeable}} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
{extra}
"""


def vault(name: str, fields: str, *, bases: str = "OwnableUpgradeable, UUPSUpgradeable", doc: str = "", uups: bool = True) -> str:
    """A vault whose only state is the namespace ``example.vault`` (OwnableUpgradeable and
    Initializable keep theirs in OpenZeppelin's namespaces): solc's sequential layout is empty."""
    authorize = "    function _authorizeUpgrade(address) internal override onlyOwner {}\n" if uups else ""
    return HEADER.format(extra="") + f"""
{doc}contract {name} is Initializable, {bases} {{
    /// @custom:storage-location erc7201:example.vault
    struct VaultStorage {{
{fields}
    }}

    // keccak256(abi.encode(uint256(keccak256("example.vault")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant VAULT_LOCATION = {erc7201("example.vault")};

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {{
        _disableInitializers();
    }}

    function initialize(address owner) external initializer {{
        __Ownable_init(owner);
    }}

    function _vault() private pure returns (VaultStorage storage $) {{
        assembly {{
            $.slot := VAULT_LOCATION
        }}
    }}

    function total() external view returns (uint256) {{
        return _vault().total;
    }}
{authorize}}}
"""


def erc7201(namespace: str) -> str:
    from upgrader.layout.namespaces import erc7201_root

    return f"{erc7201_root(namespace):#066x}"


V1_FIELDS = "        uint256 total;\n        address token;"
SOURCES: dict[str, str] = {
    "src/Vault.sol": vault("VaultV1", V1_FIELDS),
    # appends to the namespace: safe
    "src/VaultV2.sol": vault("VaultV2", V1_FIELDS + "\n        uint256 fee;", doc="/// @custom:oz-upgrades-from VaultV1\n"),
    # inserts into the namespace: unsafe
    "src/VaultV2Insert.sol": vault(
        "VaultV2Insert", "        uint256 total;\n        uint256 fee;\n        address token;", doc="/// @custom:oz-upgrades-from VaultV1\n"
    ),
    # renames a namespace member: unsafe unless renames are allowed
    "src/VaultV2Renamed.sol": vault(
        "VaultV2Renamed",
        "        uint256 sum;\n        address token;",
        doc="/// @custom:oz-upgrades-from VaultV1\n",
    ).replace("_vault().total", "_vault().sum"),
    # no longer UUPS: this upgrade would be the last one (missing-public-upgradeto)
    "src/VaultV2NoUUPS.sol": vault(
        "VaultV2NoUUPS", V1_FIELDS, bases="OwnableUpgradeable", doc="/// @custom:oz-upgrades-from VaultV1\n", uups=False
    ),
    # annotated only, and unsafe
    "src/Annotated.sol": """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
/// @custom:oz-upgrades
contract Annotated {
    function kill() external {
        selfdestruct(payable(msg.sender));
    }
}
""",
    # a transparent-proxy token: Initializable through ERC20Upgradeable, state in OZ's namespaces
    "src/Token.sol": """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import {ERC20Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/ERC20Upgradeable.sol";
contract Token is ERC20Upgradeable {
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initialize() external initializer {
        __ERC20_init("Token", "TOK");
    }
}
""",
    # unsafe, for --exclude
    "src/mocks/MockProxyTarget.sol": """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
contract MockProxyTarget is Initializable {
    function run(address target, bytes calldata data) external returns (bytes memory) {
        (, bytes memory out) = target.delegatecall(data);
        return out;
    }
}
""",
    # not upgradeable: reported by neither tool
    "src/Plain.sol": """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Plain {
    uint256 public value = 1;
}
""",
}


def write_project(folder: Path, sources: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "foundry.toml").write_text(FOUNDRY_TOML.format(solc=SOLC))
    link = folder / "node_modules"
    if not link.exists():
        link.symlink_to(ROOT / "node_modules")
    for unit, text in sources.items():
        path = folder / unit
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


def forge_build(folder: Path) -> Path:
    env = {**os.environ, "FOUNDRY_DISABLE_NIGHTLY_WARNING": "1", "NO_COLOR": "1"}
    proc = subprocess.run([str(FORGE), "build"], cwd=folder, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return folder / "out" / "build-info"


def copy_build_info(source: Path, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for path in source.glob("*.json"):
        shutil.copy(path, target / path.name)
    return target


_VERDICT = re.compile(r"^ (✔|✘)  (\S+)", re.MULTILINE)


@functools.cache  # the same question is asked by the tests of both spellings of an option
def openzeppelin(folder: Path, *args: str) -> tuple[int, dict[str, bool], str]:
    """``upgrades-core validate``: exit code, per-contract verdicts, all output."""
    env = {**os.environ, "FORCE_COLOR": "0", "NO_COLOR": "1"}
    proc = subprocess.run([str(OZ), "validate", str(folder), *args], capture_output=True, text=True, env=env, timeout=300)
    return proc.returncode, {m[2]: m[1] == "✔" for m in _VERDICT.finditer(proc.stdout)}, proc.stdout + proc.stderr


def upgrader(folder: Path, *args: str) -> tuple[int, dict[str, bool], dict]:
    """``upgrader check --json`` as a whole process: exit code, per-contract verdicts, the report."""
    proc = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "upgrader"), "check", "--build-info", str(folder), "--json", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode == 2:
        return 2, {}, {"error": proc.stderr}
    report = json.loads(proc.stdout)
    return proc.returncode, {c["contract"]: c["ok"] for c in report["contracts"]}, report
