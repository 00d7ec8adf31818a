"""One reader of solc's AST: index, walk, NatSpec; used by layout/ and validate/."""
