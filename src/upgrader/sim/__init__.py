"""One fork runner for Safe transactions and one storage decoder, for simulate, review --simulate and the probes."""
