"""Tables for people that never cut an address, a hash or a file location short.

Signers compare addresses and hashes character by character, so no table may truncate or
split them, whatever the terminal width. Every column gets at least the width of its longest
word (its longest line when marked ``whole``), so text only wraps at spaces and rich never
has to fold or crop; when that does not fit the console, the rows are printed one after
another as ``column: value`` lines (a vertical layout), each line left for the terminal to wrap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

MIN_COLUMN = 7
BORDERS_PER_COLUMN = 3  # "│ " before and " " after each cell; one more "│" closes the row


@dataclass(frozen=True)
class Col:
    name: str
    whole: bool = False  # never wrapped at all (an address, a hash)
    justify: Literal["left", "right"] = "left"


def _plain(cell: str) -> str:
    from rich.text import Text

    return Text.from_markup(cell).plain


def _need(col: Col, cells: list[str]) -> int:
    from rich.cells import cell_len

    lines = [line for cell in cells for line in cell.split("\n")] + [col.name]
    units = lines if col.whole else [word for line in lines for word in line.split()]
    return max([MIN_COLUMN, *(cell_len(u) for u in units)])


def fits(columns: list[Col], rows: list[list[str]], width: int) -> bool:
    plain = [[_plain(c) for c in row] for row in rows]
    need = 1 + sum(_need(col, [r[i] for r in plain]) + BORDERS_PER_COLUMN for i, col in enumerate(columns))
    return need <= width


def print_table(title: str | None, columns: list[Col], rows: list[list[str]], console: Any = None) -> None:
    """A rich table when it fits whole, else the vertical layout. Cells may hold rich markup."""
    from rich.table import Table
    from rich.text import Text

    if console is None:
        from upgrader.cli.output import console
    if title:
        console.print(Text.from_markup(f"[bold]{title}[/]"), soft_wrap=True)
    if not fits(columns, rows, console.width):
        for i, row in enumerate(rows):
            if i:
                console.print()
            for col, cell in zip(columns, row):
                if not _plain(cell).strip():
                    continue
                head, *rest = cell.split("\n")
                console.print(Text.from_markup(f"[dim]{col.name}:[/] {head}"), soft_wrap=True)
                for more in rest:
                    console.print(Text.from_markup(f"  {more}"), soft_wrap=True)
        return
    plain = [[_plain(c) for c in row] for row in rows]
    table = Table()
    for i, col in enumerate(columns):
        need = _need(col, [r[i] for r in plain])
        table.add_column(col.name, justify=col.justify, min_width=need, no_wrap=col.whole,
                         overflow="ignore")
    for row in rows:
        table.add_row(*row)
    console.print(table)
