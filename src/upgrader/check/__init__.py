"""The check stage: the engine, its report formats, git references, and the run behind the CLI."""
