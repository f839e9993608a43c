"""The terminal dashboard (Textual). Nothing outside ``smstools_tui.tui`` and the CLI's
``dashboard`` command imports it, so the data layer and the notebooks never load Textual.

Open it with ``smstools-tui`` (or ``smstools-tui dashboard``), or from Python::

    from smstools_tui.tui import make_app
    make_app().run()

Report tabs and overview figures are declared in :mod:`smstools_tui.tui.views`.
"""

from .app import DashboardApp, make_app
from .views import (
    DEFAULT_FIGURES,
    DEFAULT_REPORTS,
    Dataset,
    Figure,
    ReportTab,
    TableSpec,
    Variant,
    WindowChoice,
    default_reports,
)

__all__ = [
    "DEFAULT_FIGURES",
    "DEFAULT_REPORTS",
    "DashboardApp",
    "Dataset",
    "Figure",
    "ReportTab",
    "TableSpec",
    "Variant",
    "WindowChoice",
    "default_reports",
    "make_app",
]
