"""`upgrader review`: what a signer checks before signing."""
