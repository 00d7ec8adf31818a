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


def widths(columns: list[Col], plain: list[list[str]], width: int) -> list[int]:
    """Each column's exact width: its need (longest word or whole line), plus a share of the
    room left in proportion to what its longest line wants more. Given to rich as fixed
    widths: left to itself, rich widens a column past its share and crops the row."""
    from rich.cells import cell_len

    needs = [_need(col, [r[i] for r in plain]) for i, col in enumerate(columns)]
    natural = [max([need, *(cell_len(ln) for r in plain for ln in r[i].split("\n"))])
               for i, need in enumerate(needs)]
    spare = width - (1 + sum(n + BORDERS_PER_COLUMN for n in needs))
    wants = [nat - need for nat, need in zip(natural, needs)]
    if sum(wants) <= spare:
        return natural
    return [need + want * spare // sum(wants) for need, want in zip(needs, wants)]


def print_table(title: str | None, columns: list[Col], rows: list[list[str]], console: Any = None) -> None:
    """A rich table when it fits whole, else the vertical layout. Cells may hold rich markup."""
    from rich.table import Table
    from rich.text import Text

    if console is None:
        from upgrader.cli.common.output import console
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
    for col, width in zip(columns, widths(columns, plain, console.width)):
        table.add_column(col.name, justify=col.justify, width=width, no_wrap=col.whole,
                         overflow="ignore" if col.whole else "fold")  # a word never exceeds its width
    for row in rows:
        table.add_row(*row)
    console.print(table)
