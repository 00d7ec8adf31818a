"""The deployments store: ``deployments/<network>/manifest.json``."""

from upgrader.manifest.model import Implementation, Manifest, ProxyRecord, SafeRecord, UpgradeRecord
from upgrader.manifest.store import ManifestStore, canonical_json, manifest_hash

__all__ = [
    "Implementation",
    "Manifest",
    "ManifestStore",
    "ProxyRecord",
    "SafeRecord",
    "UpgradeRecord",
    "canonical_json",
    "manifest_hash",
]
