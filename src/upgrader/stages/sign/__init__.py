"""Who signs: signers, owner Safes (nested), delegates."""
