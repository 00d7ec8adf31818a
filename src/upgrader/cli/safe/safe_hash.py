"""`upgrader safe-hash`: the hashes a hardware wallet shows for a Safe transaction, offline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from upgrader.cli.common.options import JsonOption
from upgrader.cli.main import app
from upgrader.constants import ZERO_ADDRESS
from upgrader.cli.common.output import console, handle_errors, print_json

if TYPE_CHECKING:  # the safe layer pulls in eth-abi: import it only when the command runs
    from upgrader.safe.hashreport import SafeHashReport



@app.command("safe-hash")
@handle_errors
def safe_hash(
    chain_id: Annotated[str, typer.Option("--chain-id", help="Chain id of the Safe's network.")],
    safe: Annotated[str, typer.Option("--safe", help="Address of the Safe (the EIP-712 verifying contract).")],
    to: Annotated[str, typer.Option("--to", help="Target of the Safe transaction.")],
    nonce: Annotated[str, typer.Option("--nonce", help="Safe nonce of the transaction.")],
    value: Annotated[str, typer.Option("--value", help="Wei sent with the call.")] = "0",
    data: Annotated[str, typer.Option("--data", help="Calldata as hex.")] = "0x",
    operation: Annotated[str, typer.Option("--operation", help="0 = CALL, 1 = DELEGATECALL.")] = "0",
    safe_tx_gas: Annotated[str, typer.Option("--safe-tx-gas")] = "0",
    base_gas: Annotated[str, typer.Option("--base-gas")] = "0",
    gas_price: Annotated[str, typer.Option("--gas-price")] = "0",
    gas_token: Annotated[str, typer.Option("--gas-token")] = ZERO_ADDRESS,
    refund_receiver: Annotated[str, typer.Option("--refund-receiver")] = ZERO_ADDRESS,
    safe_version: Annotated[
        str, typer.Option("--safe-version", help="Safe contract version (VERSION() of its singleton).")
    ] = "1.4.1",
    json_out: JsonOption = False,
) -> None:
    """Compute the domain hash, message hash and safeTxHash of a Safe transaction offline,
    to compare with what the hardware wallet shows before signing."""
    from upgrader.safe.hashreport import safe_hash_report
    from upgrader.safe.tx import SafeDomain, SafeTx

    domain = SafeDomain(chain_id=chain_id, safe=safe, version=safe_version)  # type: ignore[arg-type]
    tx = SafeTx(
        to=to, value=value, data=data, operation=operation, safe_tx_gas=safe_tx_gas,  # type: ignore[arg-type]
        base_gas=base_gas, gas_price=gas_price, gas_token=gas_token,  # type: ignore[arg-type]
        refund_receiver=refund_receiver, nonce=nonce,  # type: ignore[arg-type]
    )
    report = safe_hash_report(tx, domain)
    if json_out:
        print_json(report.to_json())
    else:
        render(report)


def render(report: "SafeHashReport") -> None:
    from upgrader.safe.addresses import name_of
    from upgrader.safe.hashreport import as_shown_on_device

    tx, domain = report.tx, report.domain
    fields = _grid()
    fields.add_row("Network", f"chain {domain.chain_id}")
    fields.add_row("Safe", f"{domain.safe} (v{domain.version})")
    to_name = name_of(tx.to)
    fields.add_row("To", tx.to + (f" ({to_name})" if to_name else ""))
    fields.add_row("Value", f"{tx.value} wei")
    fields.add_row("Data", _short_data(tx.data))
    op = "[bold red]1 (DELEGATECALL)[/]" if tx.operation else "0 (CALL)"
    fields.add_row("Operation", op)
    fields.add_row("Nonce", str(tx.nonce))
    if tx.safe_tx_gas or tx.base_gas or tx.gas_price or tx.gas_token != ZERO_ADDRESS or tx.refund_receiver != ZERO_ADDRESS:
        fields.add_row("Gas", f"safeTxGas {tx.safe_tx_gas}, baseGas {tx.base_gas}, gasPrice {tx.gas_price}")
        fields.add_row("Gas token", tx.gas_token)
        fields.add_row("Refund to", tx.refund_receiver)
    console.print(fields)
    console.print()

    console.print("[bold]As your hardware wallet shows them[/]")
    hashes = _grid()
    hashes.add_row("Domain hash", as_shown_on_device(report.domain_hash))
    hashes.add_row("Message hash", as_shown_on_device(report.message_hash))
    hashes.add_row("safeTxHash", report.safe_tx_hash)
    console.print(hashes)
    for warning in report.warnings:
        console.print(f"[bold yellow]![/] {warning}")


def _grid() -> Table:
    # Hashes are folded onto a second line on a narrow terminal, never cut short.
    grid = Table.grid(padding=(0, 2))
    grid.add_column("field", style="dim", no_wrap=True, min_width=12)
    grid.add_column("value", overflow="fold")
    return grid


def _short_data(data: bytes) -> str:
    if not data:
        return "0x (empty)"
    text = "0x" + data.hex()
    shown = text if len(text) <= 74 else text[:74] + "…"
    return f"{shown} ({len(data)} bytes)"
