"""Canonical addresses of Safe infrastructure (from safe-global/safe-deployments).

1.3.0 was deployed twice: the "canonical" deployment (through the Arachnid CREATE2 proxy) and
the "eip155" one (through the Safe singleton factory on chains that reject pre-EIP-155
transactions). 1.4.1 has one canonical deployment. zkSync-family chains have their own
addresses and are not listed.

A DELEGATECALL from a Safe runs foreign code with the Safe's storage: the only DELEGATECALL
target a routine batch needs is a MultiSendCallOnly (it refuses nested DELEGATECALLs), which
``trusted_multisend_call_only`` lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from eth_utils import is_hex_address

ContractKind = Literal[
    "Safe", "SafeL2", "SafeProxyFactory", "MultiSend", "MultiSendCallOnly",
    "CompatibilityFallbackHandler", "SignMessageLib", "CreateCall", "SimulateTxAccessor",
    "CREATE2Deployer",
]


@dataclass(frozen=True)
class KnownContract:
    kind: ContractKind
    version: str  # Safe release; "" for infrastructure outside Safe releases
    deployment: str  # "canonical" | "eip155" | ""
    address: str
    code_hash: str | None = None  # keccak256 of the runtime code, where we pin it

    @property
    def name(self) -> str:
        if not self.version:
            return self.kind
        suffix = f", {self.deployment}" if self.deployment == "eip155" else ""
        prefix = "" if self.kind.startswith("Safe") else "Safe "
        return f"{prefix}{self.kind} {self.version}{suffix}"


def _c(kind: ContractKind, version: str, deployment: str, address: str, code_hash: str | None = None) -> KnownContract:
    return KnownContract(kind, version, deployment, address, code_hash)  # literals are EIP-55 (tested)


KNOWN_CONTRACTS: tuple[KnownContract, ...] = (
    # Safe 1.3.0, canonical deployment
    _c("Safe", "1.3.0", "canonical", "0xd9Db270c1B5E3Bd161E8c8503c55cEABeE709552"),
    _c("SafeL2", "1.3.0", "canonical", "0x3E5c63644E683549055b9Be8653de26E0B4CD36E"),
    _c("SafeProxyFactory", "1.3.0", "canonical", "0xa6B71E26C5e0845f74c812102Ca7114b6a896AB2"),
    _c("MultiSend", "1.3.0", "canonical", "0xA238CBeb142c10Ef7Ad8442C6D1f9E89e07e7761",
       "0x0208282bd262360d0320862c5ac70f375f5ed3b9d89a83a615b4d398415bdc83"),
    _c("MultiSendCallOnly", "1.3.0", "canonical", "0x40A2aCCbd92BCA938b02010E17A5b8929b49130D",
       "0xa9865ac2d9c7a1591619b188c4d88167b50df6cc0c5327fcbd1c8c75f7c066ad"),
    _c("CompatibilityFallbackHandler", "1.3.0", "canonical", "0xf48f2B2d2a534e402487b3ee7C18c33Aec0Fe5e4"),
    _c("SignMessageLib", "1.3.0", "canonical", "0xA65387F16B013cf2Af4605Ad8aA5ec25a2cbA3a2"),
    _c("CreateCall", "1.3.0", "canonical", "0x7cbB62EaA69F79e6873cD1ecB2392971036cFAa4"),
    _c("SimulateTxAccessor", "1.3.0", "canonical", "0x59AD6735bCd8152B84860Cb256dD9e96b85F69Da"),
    # Safe 1.3.0, eip155 deployment
    _c("Safe", "1.3.0", "eip155", "0x69f4D1788e39c87893C980c06EdF4b7f686e2938"),
    _c("SafeL2", "1.3.0", "eip155", "0xfb1bffC9d739B8D520DaF37dF666da4C687191EA"),
    _c("SafeProxyFactory", "1.3.0", "eip155", "0xC22834581EbC8527d974F8a1c97E1bEA4EF910BC"),
    _c("MultiSend", "1.3.0", "eip155", "0x998739BFdAAdde7C933B942a68053933098f9EDa",
       "0x81db0e4afdf5178583537b58c5ad403bd47a4ac7f9bde2442ef3e341d433126a"),
    _c("MultiSendCallOnly", "1.3.0", "eip155", "0xA1dabEF33b3B82c7814B6D82A79e50F4AC44102B",
       "0xa9865ac2d9c7a1591619b188c4d88167b50df6cc0c5327fcbd1c8c75f7c066ad"),
    _c("CompatibilityFallbackHandler", "1.3.0", "eip155", "0x017062a1dE2FE6b99BE3d9d37841FeD19F573804"),
    _c("SignMessageLib", "1.3.0", "eip155", "0x98FFBBF51bb33A056B08ddf711f289936AafF717"),
    _c("CreateCall", "1.3.0", "eip155", "0xB19D6FFc2182150F8Eb585b79D4ABcd7C5640A9d"),
    _c("SimulateTxAccessor", "1.3.0", "eip155", "0x727a77a074D1E6c4530e814F89E618a3298FC044"),
    # Safe 1.4.1
    _c("Safe", "1.4.1", "canonical", "0x41675C099F32341bf84BFc5382aF534df5C7461a"),
    _c("SafeL2", "1.4.1", "canonical", "0x29fcB43b46531BcA003ddC8FCB67FFE91900C762"),
    _c("SafeProxyFactory", "1.4.1", "canonical", "0x4e1DCf7AD4e460CfD30791CCC4F9c8a4f820ec67"),
    _c("MultiSend", "1.4.1", "canonical", "0x38869bf66a61cF6bDB996A6aE40D5853Fd43B526",
       "0x0e4f7fc66550a322d1e7688e181b75e217e662a4f3f4d6a29b22bc61217c4b77"),
    _c("MultiSendCallOnly", "1.4.1", "canonical", "0x9641d764fc13c8B624c04430C7356C1C7C8102e2",
       "0xecd5bd14a08c5d2122379900b2f272bdf107a7e92423c10dd5fe3254386c9939"),
    _c("CompatibilityFallbackHandler", "1.4.1", "canonical", "0xfd0732Dc9E303f09fCEf3a7388Ad10A83459Ec99"),
    _c("SignMessageLib", "1.4.1", "canonical", "0xd53cd0aB83D845Ac265BE939c57F53AD838012c9"),
    _c("CreateCall", "1.4.1", "canonical", "0x9b35Af71d77eaf8d7e40252370304687390A1A52"),
    _c("SimulateTxAccessor", "1.4.1", "canonical", "0x3d4BA2E0884aa488718476ca2FB8Efc291A46199"),
    # Deterministic deployment proxy (Arachnid), the usual CREATE2 deployer
    _c("CREATE2Deployer", "", "", "0x4e59b44847b379578588920cA78FbF26c0B4956C"),
)

_BY_ADDRESS: dict[str, KnownContract] = {c.address.lower(): c for c in KNOWN_CONTRACTS}

CREATE2_DEPLOYER = "0x4e59b44847b379578588920cA78FbF26c0B4956C"


def address_of(kind: ContractKind, version: str = "1.4.1", deployment: str = "canonical") -> str:
    """The checksummed address of one Safe contract; KeyError if we do not list it."""
    for contract in KNOWN_CONTRACTS:
        if (contract.kind, contract.version, contract.deployment) == (kind, version, deployment):
            return contract.address
    raise KeyError(f"no known {kind} {version} ({deployment}) address")


def lookup(address: str) -> KnownContract | None:
    if not isinstance(address, str) or not is_hex_address(address):
        return None
    return _BY_ADDRESS.get(address.lower())


def name_of(address: str) -> str | None:
    """A human name for a known Safe infrastructure address, e.g. 'Safe MultiSendCallOnly 1.4.1'."""
    contract = lookup(address)
    return contract.name if contract else None


def is_multisend(address: str) -> bool:
    contract = lookup(address)
    return contract is not None and contract.kind in ("MultiSend", "MultiSendCallOnly")


def trusted_multisend_call_only() -> tuple[str, ...]:
    """Every known MultiSendCallOnly: the DELEGATECALL targets a review can accept."""
    return tuple(c.address for c in KNOWN_CONTRACTS if c.kind == "MultiSendCallOnly")


def is_trusted_multisend_call_only(address: str) -> bool:
    contract = lookup(address)
    return contract is not None and contract.kind == "MultiSendCallOnly"


MULTISEND_CALL_ONLY_1_3_0 = address_of("MultiSendCallOnly", "1.3.0")
MULTISEND_CALL_ONLY_1_3_0_EIP155 = address_of("MultiSendCallOnly", "1.3.0", "eip155")
MULTISEND_CALL_ONLY_1_4_1 = address_of("MultiSendCallOnly", "1.4.1")
MULTISEND_1_3_0 = address_of("MultiSend", "1.3.0")
MULTISEND_1_3_0_EIP155 = address_of("MultiSend", "1.3.0", "eip155")
MULTISEND_1_4_1 = address_of("MultiSend", "1.4.1")
