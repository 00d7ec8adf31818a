"""The local Safe service for dev chains and tests (it touches a chain: owners, nonces)."""
