"""Phone numbers as the API writes recipients: international digits, no ``+``, no ``00``.

People type ``+39 348 000 0000``, ``0039 348-0000000`` or ``393480000000``; searches, the store
and the dashboard's filters all reduce what was typed to the same digits with these functions.
(Reports go further, in :func:`smstools_tui.analysis.normalise_numbers`, which also keeps
alphanumeric senders.)
"""

from __future__ import annotations

from .errors import ConfigError

__all__ = ["msisdn_digits", "to_msisdn"]


def msisdn_digits(number: str) -> str:
    """The digits of a typed number without an international ``00`` prefix; may be empty.

    Example:
        >>> msisdn_digits("+39 348 000 0000"), msisdn_digits("0039-348"), msisdn_digits("abc")
        ('393480000000', '39348', '')
    """
    digits = "".join(ch for ch in number if ch.isdigit())
    return digits[2:] if digits.startswith("00") else digits


def to_msisdn(number: str) -> str:
    """:func:`msisdn_digits`, refusing a value with no digits at all with a clear error.

    Example:
        >>> to_msisdn("+39 348 000 0000")
        '393480000000'
    """
    digits = msisdn_digits(number)
    if not digits:
        raise ConfigError(f"{number!r} is not a phone number")
    return digits
