"""Chain access: RPC endpoints with timeouts, ERC-1967 slot reads, CREATE2, Anvil processes."""
