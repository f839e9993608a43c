"""The one seam into textual-fastdatatable's private state (``SwappableDataTable``).

These tests check, on the installed release, everything the seam relies on; when a release
changes any of it they fail with a message saying what to update, instead of the dashboard
drawing stale rows. The dependency's upper bound in ``pyproject.toml`` keeps untested releases
out until these pass on them.
"""

from __future__ import annotations

import inspect
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from rich.style import Style
from textual.app import App, ComposeResult
from textual_fastdatatable import ArrowBackend, DataTable

from smstools_tui.tui.widgets.frame_table import SwappableDataTable

LIBRARY = "textual-fastdatatable"
INSTALLED = version(LIBRARY)
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
FLAGGED = Style(bgcolor="#ff00ff")


def broken(what: str) -> str:
    return (
        f"{LIBRARY} {INSTALLED} changed what the dashboard's table relies on: {what}. Update "
        "SwappableDataTable in smstools_tui/tui/widgets/frame_table.py (the only code touching "
        "the library's private state), then the upper bound in pyproject.toml."
    )


class Flagging(SwappableDataTable):
    """Draws the rows in :attr:`flagged` in :data:`FLAGGED`."""

    flagged: frozenset[int] = frozenset()

    def row_style(self, row_index: int) -> Style | None:
        return FLAGGED if row_index in self.flagged else None


class TableApp(App[None]):
    def __init__(self, table: DataTable) -> None:
        super().__init__()
        self.table = table

    def compose(self) -> ComposeResult:
        yield self.table


def backend(**columns: list[str]) -> ArrowBackend:
    return ArrowBackend.from_pydict(columns)


def drawn(table: DataTable) -> str:
    """The table's lines as they are drawn."""
    return "\n".join(table.render_line(y).text for y in range(table.size.height))


async def test_the_private_state_the_seam_resets_is_there() -> None:
    app = TableApp(DataTable(backend=backend(a=["1", "2", "3"])))
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        table = app.table
        expected: dict[str, type | tuple[type, ...]] = {
            "_ordered_columns": (list, type(None)),
            "_update_count": int,
            "_require_update_dimensions": bool,
        }
        for name, kinds in expected.items():
            assert hasattr(table, name), broken(f"DataTable has no attribute {name}")
            value = getattr(table, name)
            assert isinstance(value, kinds), broken(f"{name} is a {type(value).__name__}")
        assert table._ordered_columns is not None, broken("_ordered_columns is never filled")
        assert [column.label.plain for column in table._ordered_columns] == ["a"], broken(
            "_ordered_columns no longer lists the columns"
        )

        caches = ("_row_render_cache", "_cell_render_cache", "_line_cache")
        assert all(len(getattr(table, name)) for name in caches), broken(
            f"a render no longer fills {', '.join(caches)}"
        )
        assert callable(getattr(table, "_clear_caches", None)), broken("_clear_caches is gone")
        table._clear_caches()
        assert not any(len(getattr(table, name)) for name in caches), broken(
            "_clear_caches() no longer empties the render caches"
        )


async def test_row_styles_still_come_from_the_private_hook() -> None:
    hook = inspect.signature(DataTable._get_row_style)
    assert list(hook.parameters) == ["self", "row_index", "base_style"], broken(
        f"_get_row_style takes {hook}"
    )
    table = Flagging(backend=backend(a=["x", "y", "z"], b=["1", "2", "3"]))
    table.flagged = frozenset({1})
    async with TableApp(table).run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        # y=0 is the header; rows 0, 1 and 2 follow. Every cell of the flagged row, padding
        # included, takes the style; the rows around it keep the table's own.
        for y, row in ((1, 0), (2, 1), (3, 2)):
            cells = [segment for segment in table.render_line(y) if segment.text.strip()]
            assert len(cells) == 2
            styled = [
                segment.style is not None and segment.style.bgcolor == FLAGGED.bgcolor
                for segment in cells
            ]
            assert styled == [row in table.flagged] * 2, broken(
                f"_get_row_style no longer styles the whole row ({y=}: {styled})"
            )


async def test_replacing_the_backend_shows_the_new_data_in_place() -> None:
    table = SwappableDataTable(backend=backend(old=["before", "stale"]))
    app = TableApp(table)
    async with app.run_test(size=(60, 12)) as pilot:
        table.focus()
        table.move_cursor(column=0)
        await pilot.pause()
        assert "stale" in drawn(table)

        table.replace_backend(
            backend(number=[f"{row:03d}" for row in range(50)], text=["new row"] * 50)
        )
        await pilot.pause()
        shown = drawn(table)
        assert "stale" not in shown and "before" not in shown, broken("old rows still drawn")
        assert "000" in shown and "new row" in shown, broken("the new rows are not drawn")
        assert [column.label.plain for column in table.ordered_columns] == ["number", "text"]
        assert table.row_count == 50
        assert table.virtual_size.height == 51, broken("the virtual size is not recomputed")
        assert table.has_focus  # the same widget, still focused: nothing was remounted

        # Same shape, other values: only the render caches could show the old ones.
        table.replace_backend(
            backend(number=[f"{row:03d}" for row in range(50)], text=["other"] * 50)
        )
        await pilot.pause()
        assert "new row" not in drawn(table) and "other" in drawn(table), broken(
            "rows rendered from the old data are drawn again"
        )


def test_the_dependency_stops_below_the_next_untested_release() -> None:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    requirement = next(
        parsed for parsed in map(Requirement, project["dependencies"]) if parsed.name == LIBRARY
    )
    uppers = [spec for spec in requirement.specifier if spec.operator in ("<", "<=", "~=")]
    assert uppers, f"{LIBRARY} needs an upper bound in pyproject.toml: its private state is used"
    assert requirement.specifier.contains(INSTALLED), (
        f"{LIBRARY} {INSTALLED} is installed but pyproject.toml allows {requirement.specifier}"
    )


@pytest.mark.parametrize("method", ["clear", "sort"])
def test_no_public_way_to_swap_data_appeared_unnoticed(method: str) -> None:
    """``clear()`` refusing is why the seam exists; if it starts working, use it instead."""
    source = inspect.getsource(getattr(DataTable, method))
    if method == "clear":
        assert "NotImplementedError" in source, (
            f"{LIBRARY} {INSTALLED} implements DataTable.clear(): replace the seam in "
            "smstools_tui/tui/widgets/frame_table.py with the public API"
        )
    else:
        assert "self.backend.sort" in source  # sorting is the backend's, as the seam assumes
