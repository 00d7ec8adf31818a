"""The one builder of what a review knows (``ReviewContext``) inside a project: the network's
manifest, the build, its proposals and plans folders, the modules' constructor arguments and
allowed validation kinds, and a code reader. `upgrader review` (``project_context``, which works
outside a project and offline too), `propose` and `watch` (``network_context``, from an open
``NetworkContext``) all build it here."""

from __future__ import annotations

from typing import Any

from upgrader.errors import InputError, UnavailableError
from upgrader.stages.review.report import ReviewContext

__all__ = ["network_context", "project_context"]


def _fill(ctx: ReviewContext, cfg: Any, store: Any, build_info: dict[str, Any]) -> ReviewContext:
    ctx.build_info = build_info
    ctx.constructor_args = constructed(cfg, build_info)
    ctx.unsafe_allow = {name: tuple(m.unsafe_allow) for name, m in cfg.modules.items() if m.unsafe_allow}
    ctx.proposals_dir = store.folder / "proposals"
    ctx.plans_dir = store.folder / "plans"
    return ctx


def project_context(network: str, offline: bool, safe_version: str | None = None, multisend: str | None = None) -> ReviewContext:
    """Manifest, build, proposals and plans of ``network`` when run inside the project; a code
    reader that connects (briefly) to the network's RPC only when needed and allowed. Outside a
    project: the Safe infrastructure only."""
    from upgrader import config as project_config

    ctx = ReviewContext(safe_version=safe_version, multisend=multisend)
    try:
        cfg = project_config.load()
    except InputError:
        return ctx
    from upgrader.build.project import project_build_info
    from upgrader.manifest import ManifestStore

    store = ManifestStore(cfg.deployments, network)
    if store.exists():
        ctx.manifest = store.load()
    _fill(ctx, cfg, store, project_build_info(cfg.root))
    if not offline and network in cfg.networks:
        from upgrader.stages.context import rpc_urls

        node = LazyNode(rpc_urls(cfg.network(network)))
        ctx.read_code, ctx.read_creation = node.code, node.creation_input
    return ctx


def network_context(net: Any, manifest: Any = None, **fields: Any) -> ReviewContext:
    """The review context of an open ``NetworkContext`` (its manifest unless ``manifest`` is
    given, its build, its node as the code reader); ``fields`` set the rest (plan, queued, ...)."""
    from upgrader.chain.rpc import code_at

    from upgrader.adopt.creation import creation_input

    ctx = ReviewContext(manifest=manifest if manifest is not None else net.manifest(),
                        read_code=lambda address: code_at(net.w3, address),
                        read_creation=lambda address: creation_input(net.w3, address))
    _fill(ctx, net.config, net.store, net.build_info)
    for key, value in fields.items():
        setattr(ctx, key, value)
    return ctx


def constructed(cfg: Any, build_info: dict[str, Any]) -> list[tuple[str, bytes]]:
    """Each module's target with its constructor arguments, so an implementation deployed with
    them at its CREATE2 address is tied to the build; a module that does not build is left out."""
    from upgrader.build import artifacts
    from upgrader.stages.plan import encoded_constructor_args

    out = []
    for name, module in cfg.modules.items():
        if not module.constructor_args:
            continue
        try:
            target = artifacts.find(build_info, module.target)
            out.append((target.fqn, encoded_constructor_args(target, module.constructor_args, name)))
        except InputError:  # not in this build, or arguments that do not fit: review says implementation-unknown
            continue
    return out


class LazyNode:
    """The network's node, connected (briefly) only when the review first reads from it; a
    wrong URL, no node answering or a node lost mid-review reads as offline (None)."""

    def __init__(self, url: list[str]) -> None:
        self.url = url
        self._w3: Any = False  # False: not tried yet; None: offline

    def _connect(self) -> Any:
        if self._w3 is False:
            from upgrader.chain.rpc import connect

            try:
                self._w3 = connect(self.url, give_up_after_s=2.0)
            except (InputError, UnavailableError):
                self._w3 = None
        return self._w3

    def code(self, address: str) -> bytes | None:
        from upgrader.chain.rpc import code_at

        return self._read(lambda w3: code_at(w3, address))

    def creation_input(self, address: str) -> bytes | None:
        from upgrader.adopt.creation import creation_input

        return self._read(lambda w3: creation_input(w3, address))

    def _read(self, read: Any) -> Any:
        w3 = self._connect()
        if w3 is None:
            return None
        try:
            return read(w3)
        except Exception:  # the node went away mid-review: treat as offline
            return None
