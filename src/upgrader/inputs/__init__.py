"""The input boundary: every file a command reads from a user, a colleague or a stranger
passes through here before any logic sees it.

    read_regular(path, "plan")        # bytes of a regular file within the kind's size limit
    read_json(path, "proposal")       # + strict JSON: depth, digits, duplicate keys, NaN
    parse_json_text(text, "where")    # the same for JSON held inside a string
    parse_uint("12", "nonce")         # ASCII decimal or 0x-hex within uint256, nothing else

Typed models of the Safe files (``inputs.safe_files``) are built from the parsed JSON before
the review or the hashing runs. ``check --build-info`` reads each file with
``read_json(path, "build-info")`` (1 GiB, depth 900).
"""

from upgrader.inputs.files import KINDS, FileKind, read_regular
from upgrader.inputs.numbers import parse_int_text, parse_uint
from upgrader.inputs.strict_json import parse_json_bytes, parse_json_text, read_json

__all__ = ["KINDS", "FileKind", "read_regular", "read_json", "parse_json_bytes", "parse_json_text",
           "parse_uint", "parse_int_text"]
