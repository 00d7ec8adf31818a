"""`upgrader review --simulate`: ``fork`` (the exact SafeTx through the real Safe on a fork, and
what it changed), ``governed`` (what a Timelock or Governor runs later, at its ETA), ``render``
(the simulation as a signer reads it)."""
