"""Checkouts for the local-stack fault tests: temporary project folders whose local chain and
Safe service use free ports, driven through the real `upgrader` executable."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UPGRADER = ROOT / ".venv" / "bin" / "upgrader"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Run:
    code: int
    out: str
    err: str

    def one_error_line(self) -> str:
        """stderr is exactly one line `error: ...`, and no traceback anywhere."""
        assert "Traceback" not in self.out + self.err, self.err
        lines = self.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), self.err
        return lines[0]


@dataclass
class Checkout:
    root: Path
    chain_port: int
    service_port: int

    @classmethod
    def make(cls, root: Path, chain_port: int, service_port: int) -> "Checkout":
        root.mkdir(parents=True, exist_ok=True)
        (root / "ape-config.yaml").write_text(
            "name: stack-fault-test\n"
            "upgrader:\n  networks:\n    local:\n"
            f"      rpc: http://127.0.0.1:{chain_port}\n      chain_id: 31337\n"
            f"      safe_api: {{kind: queue, url: local}}\n      local_service_port: {service_port}\n"
        )
        return cls(root, chain_port, service_port)

    @property
    def anvil_dir(self) -> Path:
        return self.root / ".anvil"

    def upgrader(self, *args: str, timeout: float = 60) -> Run:
        env = {**os.environ, "UPGRADER_PROJECT": str(self.root), "NO_COLOR": "1", "COLUMNS": "200"}
        env.pop("UPGRADER_RPC_LOCAL", None)
        p = subprocess.run([str(UPGRADER), *args], cwd=self.root, env=env, capture_output=True, text=True, timeout=timeout)
        return Run(p.returncode, p.stdout, p.stderr)

    def status(self) -> dict:
        """What `upgrader node status --json` prints (the same call, without a process start)."""
        from upgrader.localstack import status

        return json.loads(json.dumps(status(self.root).to_json()))

    def stop(self) -> None:
        from upgrader.localstack import stop

        stop(self.root)

    def pids(self) -> list[int]:
        st = self.status()
        return [st[c]["pid"] for c in ("chain", "service") if st[c]["state"] == "running"]

    def files(self) -> dict[str, bytes]:
        return {str(p.relative_to(self.root)): p.read_bytes() for p in sorted(self.root.rglob("*"))
                if p.is_file() and p.suffix not in (".log",) and p.name != ".lock"}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by its parent) is gone for our purposes
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def gone(pids: list[int], within_s: float = 10.0) -> bool:
    deadline = time.monotonic() + within_s
    while any(alive(p) for p in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0
