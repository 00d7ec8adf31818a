"""Plumbing shared by the commands: output and the error boundary, tables, usage errors, the quick lane."""
