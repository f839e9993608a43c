"""The account behind a set of credentials, as every source of SMS describes it.

The gateway's ``GET /user`` answer echoes the auth key and secret; :meth:`Account.from_record`
drops them (and anything named like a credential) at any depth, so nothing built from an account
(its ``details``, the store's manifest, the dashboard's header) can carry them.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .config import Credentials
from .dates import parse_api_datetime

__all__ = ["Account", "credential_values", "without_credentials"]

_CREDENTIAL_NAMES = frozenset(
    {"authkey", "authsecret", "apikey", "apisecret", "secret", "password", "passwd", "token",
     "accesstoken", "authtoken", "authorization"}
)  # fmt: skip
"""Field names, lower case without separators, that hold a credential whatever their value."""
_SHORTEST_CONTAINED = 8
"""Credentials at least this long are also found inside longer strings."""


@dataclass(frozen=True)
class Account:
    """The account behind the credentials (``GET /user``), without the echoed secrets.

    Attributes:
        name, lastname, username, email, business_name: who the account belongs to.
        default_sender: the sender used when none is given; ``sender_aliases`` lists the others.
        credit: remaining credit; ``italy_sms``: SMS to Italy that the credit still buys.
        registered, expires: account dates, when the API gives them.
        details: every other field the API returned, as text.
    """

    name: str | None = None
    lastname: str | None = None
    username: str | None = None
    email: str | None = None
    business_name: str | None = None
    default_sender: str | None = None
    sender_aliases: tuple[str, ...] = ()
    credit: float | None = None
    italy_sms: int | None = None
    registered: datetime | None = None
    expires: datetime | None = None
    details: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def display_name(self) -> str:
        """The business name, else the person's name, else the username."""
        person = " ".join(part for part in (self.name, self.lastname) if part)
        return self.business_name or person or self.username or "account"

    @classmethod
    def from_record(
        cls, record: Mapping[str, Any], *, credentials: Credentials | None = None
    ) -> Account:
        """The account in a decoded ``/user`` answer, without any echoed credential.

        Every field named like a credential (``authKey``, ``auth_key``, ``AUTH-SECRET`` …) is
        dropped at any depth, and so is every value that is, or holds, the key, the secret or
        their Basic-auth token when ``credentials`` are given: nothing built from the account
        (its ``details``, the store's manifest) can carry them.

        Example:
            >>> echoed = {"username": "mrossi", "user": {"auth_key": "k-1", "note": "s-1"}}
            >>> Account.from_record(echoed, credentials=Credentials("k-1", "s-1")).details
            {'user': {}}
        """
        clean = without_credentials(record, credentials)
        aliases = clean.pop("senderAlias", None)
        if isinstance(aliases, dict):  # XML: <senderAlias><alias>…</alias></senderAlias>
            aliases = next(iter(aliases.values()), None)
        if isinstance(aliases, str | int):
            aliases = [aliases]
        known = {
            "name": _text(clean.pop("name", None)),
            "lastname": _text(clean.pop("lastname", None)),
            "username": _text(clean.pop("username", None)),
            "email": _text(clean.pop("email", None)),
            "business_name": _text(clean.pop("businessname", None)),
            "default_sender": _text(clean.pop("sender", None)),
            "sender_aliases": tuple(str(alias) for alias in aliases or () if alias is not None),
            "credit": _number(clean.pop("credit", None), float),
            "italy_sms": _number(clean.pop("italysms", None), int),
            "registered": _date(clean.pop("registrationDate", None)),
            "expires": _date(clean.pop("expirationDate", None)),
        }
        return cls(**known, details={k: v for k, v in clean.items() if v is not None})

    def to_json(self) -> dict[str, Any]:
        """The account as JSON values, as the store keeps it for offline use (it never holds
        the key or the secret: :meth:`from_record` dropped them).

        Example:
            >>> account = Account(username="mrossi", italy_sms=12, details={"n": (1, 2)})
            >>> Account.from_json(account.to_json()) == Account(username="mrossi", italy_sms=12,
            ...                                                 details={"n": [1, 2]})
            True
        """
        return {
            "name": self.name,
            "lastname": self.lastname,
            "username": self.username,
            "email": self.email,
            "business_name": self.business_name,
            "default_sender": self.default_sender,
            "sender_aliases": list(self.sender_aliases),
            "credit": self.credit,
            "italy_sms": self.italy_sms,
            "registered": self.registered.isoformat() if self.registered else None,
            "expires": self.expires.isoformat() if self.expires else None,
            "details": {key: _json_value(value) for key, value in self.details.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Account:
        """The account :meth:`to_json` wrote.

        Raises:
            TypeError, ValueError, AttributeError: ``data`` is not what :meth:`to_json` writes.
        """

        def when(value: Any) -> datetime | None:
            return datetime.fromisoformat(value) if value else None

        return cls(
            name=data.get("name"),
            lastname=data.get("lastname"),
            username=data.get("username"),
            email=data.get("email"),
            business_name=data.get("business_name"),
            default_sender=data.get("default_sender"),
            sender_aliases=tuple(data.get("sender_aliases") or ()),
            credit=data.get("credit"),
            italy_sms=data.get("italy_sms"),
            registered=when(data.get("registered")),
            expires=when(data.get("expires")),
            details=dict(data.get("details") or {}),
        )


def without_credentials(
    record: Mapping[str, Any], credentials: Credentials | None
) -> dict[str, Any]:
    """``record`` with every echoed credential removed, at any depth: entries whose name is a
    credential's in any case or spelling, and strings that are (or, for credentials of at least
    eight characters, contain) the key, the secret or their Basic-auth token.

    Example:
        >>> pair = Credentials("key-0001", "secret-0002")
        >>> echoed = {"AUTH_KEY": "x", "a": ["key-0001", 1], "b": {"c": "secret-0002!"}}
        >>> without_credentials(echoed, pair)
        {'a': [1], 'b': {}}
    """
    cleaned = _without(record, credential_values(credentials))
    return {str(name): value for name, value in cleaned.items()}


def credential_values(credentials: Credentials | None) -> tuple[str, ...]:
    """The strings that give ``credentials`` away: the key, the secret and their Basic-auth
    token (with and without its padding), the longest first.

    Example:
        >>> credential_values(Credentials("key-1", "secret-2"))[0]  # the token, the longest
        'a2V5LTE6c2VjcmV0LTI='
        >>> sorted(credential_values(Credentials("k", "s")))
        ['azpz', 'k', 's']
    """
    if credentials is None:
        return ()
    token = base64.b64encode(":".join(credentials.as_tuple()).encode()).decode()
    values = {credentials.key, credentials.secret, token, token.rstrip("=")}
    return tuple(sorted(values, key=len, reverse=True))  # the longest first, when one holds another


def _named_like_credential(name: Any) -> bool:
    letters = "".join(character for character in str(name).lower() if character.isalnum())
    return letters in _CREDENTIAL_NAMES


def _holds_credential(value: Any, needles: tuple[str, ...]) -> bool:
    return isinstance(value, str) and any(
        value == needle or (len(needle) >= _SHORTEST_CONTAINED and needle in value)
        for needle in needles
    )


def _without(value: Any, needles: tuple[str, ...]) -> Any:
    if isinstance(value, Mapping):
        return {
            name: _without(child, needles)
            for name, child in value.items()
            if not (
                _named_like_credential(name)
                or _holds_credential(name, needles)
                or _holds_credential(child, needles)
            )
        }
    if isinstance(value, list | tuple):
        return [
            _without(child, needles) for child in value if not _holds_credential(child, needles)
        ]
    return value


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _number(value: Any, kind: type[float] | type[int]) -> Any:
    try:
        return None if value in (None, "") else kind(float(value))
    except (TypeError, ValueError, OverflowError):  # 1e400, inf: not a count
        return None


def _date(value: Any) -> datetime | None:
    try:
        return parse_api_datetime(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    return str(value)
