"""``python -m smstools_tui``: the same as the ``smstools-tui`` command."""

from .cli import main

main()
