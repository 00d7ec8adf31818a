"""Orchestration of the engines: status, plan, simulate, propose, review, execute."""
