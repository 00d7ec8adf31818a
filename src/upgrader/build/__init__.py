"""Where compiled artifacts come from: the project's own sources compiled with the pinned
solc into a Hardhat-style build-info, or build-info folders from Hardhat/Foundry."""
