"""Adopting a live system: ``upgrader import`` reads the chain and the build and writes the
manifest a team would otherwise write by hand."""
