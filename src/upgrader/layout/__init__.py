"""Storage layouts: extraction from solc output, comparison, and reporting.

Pure Python, no chain access: ``extract`` turns a build-info into a ``StorageLayout``,
``compare`` turns two layouts into typed operations, ``report`` renders them.
"""

from upgrader.layout.model import Namespace, StorageItem, StorageLayout, TypeInfo

__all__ = ["Namespace", "StorageItem", "StorageLayout", "TypeInfo"]
