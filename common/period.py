"""A contribution period: one calendar month, written ``YYYY-MM``."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from common.errors import DomainError

_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True, slots=True)
class Period:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1900 <= self.year <= 9999:
            raise DomainError("period.invalid", value=f"{self.year:04d}-{self.month:02d}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse ``YYYY-MM``; anything else (``2026-1``, ``2026/01``, ``2026-13``) raises ``period.invalid``."""
        match = _PATTERN.match(text.strip()) if isinstance(text, str) else None
        if not match:
            raise DomainError("period.invalid", value=str(text))
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Period:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def shift(self, months: int) -> Period:
        index = self.year * 12 + (self.month - 1) + months
        return Period(index // 12, index % 12 + 1)

    def next(self) -> Period:
        return self.shift(1)

    def previous(self) -> Period:
        return self.shift(-1)
