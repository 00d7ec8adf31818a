"""Deploy the V1 property platform behind UUPS proxies, governed by a 2-of-3 Safe.

    ape run deploy            # on the default (local) network

Uses the network ape is connected to; the work itself is `upgrader.deploy.system`, the
same code the tests run. Re-running against a chain whose record matches does nothing.
"""

from __future__ import annotations

import sys


def main() -> None:
    from ape import networks

    from upgrader import config as project_config
    from upgrader.build.project import project_build_info
    from upgrader.chain.rpc import connect
    from upgrader.deploy.system import deploy_local_system
    from upgrader.errors import UpgraderError

    provider = networks.provider
    network = provider.network.name
    try:
        cfg = project_config.load()
        if network == "local":  # only onto this checkout's own local chain (`upgrader node start`)
            _check_local_chain(cfg, provider.uri)
        w3 = connect(provider.uri)
        build_info = project_build_info(cfg.root)
        result = deploy_local_system(w3, cfg, network, build_info, log=print)
        if result.created and network == "local":
            from upgrader.deploy.seed import seed_demo_data

            print(f"seeded {seed_demo_data(w3, result.manifest, build_info)} sample properties with rent deposits")
    except UpgraderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:  # Ctrl-C in `make demo`: the manifest is written atomically, re-run continues
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    m = result.manifest
    print(f"{'deployed' if result.created else 'already deployed'}: Safe {m.safe.address} on chain {m.chain_id}")


def _check_local_chain(cfg, uri: str) -> None:
    from upgrader.errors import InputError
    from upgrader.localstack import ensure_chain

    configured = cfg.networks["local"].rpc if "local" in cfg.networks else None
    if configured and configured.rstrip("/") != str(uri).rstrip("/"):
        raise InputError(f"ape's local node is {uri} but upgrader.networks.local.rpc is {configured}; "
                         "make ape-config.yaml's foundry host the same URL")
    ensure_chain(cfg.root)  # refuses a chain that another checkout (or anyone else) runs on the port

