"""Commands around the Safe's transaction: ``service`` (`propose`, `confirm`, `execute`,
`delegate`, through the Safe Transaction Service), ``safe_hash`` (`safe-hash`: what a hardware
wallet shows)."""
