"""`upgrader confirm` and `upgrader execute`: queued transactions, executions from an account, races."""
