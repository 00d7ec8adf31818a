"""Deploying the system: Safe infrastructure from real bytecode, modules behind proxies."""
