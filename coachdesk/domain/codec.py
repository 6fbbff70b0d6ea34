"""One decoder and one encoder between JSON values and the domain dataclasses.

The decoder is driven by the dataclasses' type hints: it rejects unknown keys, wrong types,
words outside the vocabulary and values that break a field's rule, always naming the JSON path
(`participants[3].sessions[0].attendance: 'maybe' is not one of …`). It never coerces: "16" is not
16, and 1.0 is not an integer (formats.md: no floats anywhere)."""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.rules import EARLIEST_DATE, LATEST_DATE, Rule

T = TypeVar("T")

_DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
# The only shapes accepted; fromisoformat and strptime alone also take week dates (2015-W40-4)
# and non-ASCII digits.
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}")


def join_path(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else repr(value[:37] + "...")
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return repr(value)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, include_extras=True)


def decode(cls: type[T], value: object, path: str = "") -> T:
    """Build a `cls` from a JSON value, or raise ValidationError naming the offending path."""
    return typing.cast(T, _decode(cls, value, path))


def _decode(tp: Any, value: object, path: str) -> object:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        inner, *extras = typing.get_args(tp)
        result = _decode(inner, value, path)
        for rule in extras:
            if isinstance(rule, Rule):
                problem = rule.check(result)
                if problem:
                    raise ValidationError(path, problem)
        return result
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        if len(args) != 1:  # pragma: no cover - the model has no such unions
            raise TypeError(f"unsupported union {tp}")
        return _decode(args[0], value, path)
    if origin is list:
        if not isinstance(value, list):
            raise ValidationError(path, f"expected a list, found {_describe(value)}")
        (item,) = typing.get_args(tp)
        return [_decode(item, v, join_path(path, i)) for i, v in enumerate(value)]
    if dataclasses.is_dataclass(tp):
        return _decode_dataclass(typing.cast(type, tp), value, path)
    if isinstance(tp, type) and issubclass(tp, Enum):
        try:
            return tp(value)
        except ValueError:
            words = ", ".join(str(m.value) for m in tp)
            raise ValidationError(path, f"{_describe(value)} is not one of {words}") from None
    if tp is bool:
        if not isinstance(value, bool):
            raise ValidationError(path, f"expected true or false, found {_describe(value)}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(path, f"expected a whole number, found {_describe(value)}")
        return value
    if tp is str:
        if not isinstance(value, str):
            raise ValidationError(path, f"expected text, found {_describe(value)}")
        return value
    if tp is date:
        return parse_date(value, path)
    if tp is datetime:
        return parse_datetime(value, path)
    raise TypeError(f"unsupported type {tp!r} at {path}")  # pragma: no cover


def _decode_dataclass(cls: type, value: object, path: str) -> object:
    if not isinstance(value, dict):
        raise ValidationError(path, f"expected an object, found {_describe(value)}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in value:
        if key not in fields:
            raise ValidationError(join_path(path, str(key)), "is not a known key")
    hints = _hints(cls)
    kwargs: dict[str, object] = {}
    for name, f in fields.items():
        field_path = join_path(path, name)
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if name in value:
            if value[name] is None and required and not _optional(hints[name]):
                raise ValidationError(field_path, "is required and may not be null")
            kwargs[name] = _decode(hints[name], value[name], field_path)
        elif required:
            raise ValidationError(field_path, "is required")
    return cls(**kwargs)


def _optional(tp: Any) -> bool:
    if typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return typing.get_origin(tp) in (typing.Union, types.UnionType) and type(None) in typing.get_args(tp)


def parse_date(value: object, path: str) -> date:
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise ValidationError(path, f"{_describe(value)} is not a date written YYYY-MM-DD")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise ValidationError(path, f"{_describe(value)} is not a date written YYYY-MM-DD") from None
    if not EARLIEST_DATE <= parsed <= LATEST_DATE:
        raise ValidationError(path, f"{value} is outside the years 1900–2100")
    return parsed


def parse_datetime(value: object, path: str) -> datetime:
    problem = f"{_describe(value)} is not a date and time written YYYY-MM-DDTHH:MM"
    if not isinstance(value, str) or not _DATETIME_RE.fullmatch(value):
        raise ValidationError(path, problem)
    try:
        parsed = datetime.strptime(value, _DATETIME_FORMAT)
    except ValueError:
        raise ValidationError(path, problem) from None
    if not EARLIEST_DATE <= parsed.date() <= LATEST_DATE:
        raise ValidationError(path, f"{value} is outside the years 1900–2100")
    return parsed


def encode(obj: object) -> object:
    """The JSON value of a domain object, keys in the order the formats document them."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: encode(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, list):
        return [encode(v) for v in obj]
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, datetime):
        return obj.strftime(_DATETIME_FORMAT)
    if isinstance(obj, date):
        return obj.isoformat()
    return obj
