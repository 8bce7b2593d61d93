"""Money is ``Decimal`` end to end.  Rounding happens once, at documented points, with the scheme's rule."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation

ROUNDING_MODES = {
    "half_up": ROUND_HALF_UP,
    "half_even": ROUND_HALF_EVEN,
    "down": ROUND_DOWN,
    "up": ROUND_UP,
}


def to_decimal(value: object) -> Decimal:
    """Convert an exact input (str, int or Decimal) to Decimal.  Floats are refused: they are not exact."""
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError("money must not be a float or bool; pass a str, int or Decimal")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        try:
            result = Decimal(value.strip() if isinstance(value, str) else value)
        except InvalidOperation as exc:
            raise ValueError(f"not an amount: {value!r}") from exc
    else:
        raise TypeError(f"cannot make money of {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    return result


def round_money(amount: Decimal, places: int, mode: str = "half_up") -> Decimal:
    """Round ``amount`` to ``places`` decimals (0 for whole kip, 2 for TJS) with a named mode.

    ``places`` and ``mode`` come from the scheme's parameters, never from a literal at the call site.
    """
    if places < 0:
        raise ValueError("places must be >= 0")
    quantum = Decimal(1).scaleb(-places)
    return amount.quantize(quantum, rounding=ROUNDING_MODES[mode])
