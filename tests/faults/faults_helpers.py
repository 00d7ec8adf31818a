"""What every fault test asserts: the exit code, one line on stderr, no traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from simulated import simulation_report_for_cli


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, f"expected one line on stderr, got:\n{stderr}"
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


def assert_fails(result: Any, code: int, expect: str) -> str:
    """``result`` of ``Cli.run``: exit ``code``, nothing on stdout, one error line naming ``expect``."""
    detail = f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}\nexc: {result.exception!r}"
    assert result.exit_code == code, detail
    assert result.stdout == "", detail
    line = one_error_line(result.stderr)
    assert expect.lower() in line.lower(), line
    return line


def planned(cli: Any) -> tuple[Path, dict[str, Any]]:
    """Run `upgrader plan --json`; (plan path, plan)."""
    result = cli.run("plan", "--json")
    assert result.exit_code == 0, result.stderr
    path = Path(json.loads(result.stdout)["path"])
    return path, json.loads(path.read_text())


ANVIL_MNEMONIC = "test test test test test test test test test test test junk"


def key_signer(address: str) -> Any:
    """A KeySigner for one of Anvil's dev accounts (by address)."""
    from eth_account import Account

    from upgrader.stages.sign.signer import KeySigner

    Account.enable_unaudited_hdwallet_features()
    for i in range(10):
        account = Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}")
        if account.address.lower() == address.lower():
            return KeySigner(account)
    raise AssertionError(f"{address} is not a dev account")


def owners(cli: Any) -> list[str]:
    return sorted(json.loads(cli.manifest_path.read_text())["safe"]["owners"], key=lambda o: int(o, 16))


def simulated_plan(cli: Any) -> tuple[Path, dict[str, Any]]:
    path, plan = planned(cli)
    simulation_report_for_cli(cli, path, plan)
    return path, plan


def finish(procs: list[Any], timeout: float = 240) -> list[tuple[int, str, str]]:
    """(exit code, stdout, stderr) of each process, in order."""
    done = []
    for p in procs:
        out, err = p.communicate(timeout=timeout)
        done.append((p.returncode, out, err))
    return done


class RewrittenService:
    """An HTTP server in front of the real local Safe service that changes one field of its
    answer to ``GET multisig-transactions/<safe_tx_hash>/`` (``rewrite``: field -> value);
    every other request is passed through unchanged.

        with RewrittenService(service.url, h, {"safe": other}) as url: ...
    """

    def __init__(self, upstream: str, safe_tx_hash: str, rewrite: dict[str, Any]) -> None:
        self.upstream, self.safe_tx_hash, self.rewrite = upstream.rstrip("/"), safe_tx_hash, rewrite

    def __enter__(self) -> str:
        import threading
        import urllib.request
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        outer = self

        class Rewriting(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                with urllib.request.urlopen(outer.upstream + self.path, timeout=30) as answer:
                    status, body = answer.status, answer.read()
                if f"multisig-transactions/{outer.safe_tx_hash}" in self.path:
                    body = json.dumps({**json.loads(body), **outer.rewrite}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Rewriting)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
