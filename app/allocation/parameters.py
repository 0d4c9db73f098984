"""The parameters of the distribution key, typed as percentages (pages and API) and kept exactly.

``parse_parameters`` turns the percentages as typed ("90", "12,5") into exact fractions and refuses
what the key cannot use, naming the field; ``Parameters`` is what a version stores (``to_json``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from ..platform.errors import ValidationFailed


def _percent(value, field: str, *, low: Fraction, high: Fraction | None) -> Fraction:
    """A percentage typed as text ("90", "12,5") -> Fraction (0.9, 0.125); 422 naming the field."""
    text = str(value if value is not None else "").strip().replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed.field(field, "Bitte eine Prozentzahl angeben, z. B. 90 oder 12,5.") from None
    if not number.is_finite() or abs(number.as_tuple().exponent) > 6 or abs(number) > 10**6:
        raise ValidationFailed.field(field, "Bitte eine Prozentzahl mit höchstens sechs Nachkommastellen angeben.")
    share = Fraction(number) / 100
    if share < low or (high is not None and share > high):
        upper = f" und {high * 100} %" if high is not None else ""
        raise ValidationFailed.field(field, f"Der Wert muss zwischen {low * 100} %{upper} liegen."
                                     if high is not None else f"Der Wert muss mindestens {low * 100} % sein.")
    return share


@dataclass(frozen=True)
class Parameters:
    population_weight: Fraction = Fraction(9, 10)
    area_weight: Fraction = Fraction(1, 10)
    cap: Fraction = Fraction(5, 4)
    secondary_weight: Fraction = Fraction(0)

    def to_json(self) -> dict:
        return {"population_weight": str(self.population_weight), "area_weight": str(self.area_weight),
                "cap": str(self.cap), "secondary_weight": str(self.secondary_weight)}

    @classmethod
    def from_json(cls, data: dict | None) -> Parameters:
        data = data or {}
        defaults = cls()
        return cls(*(Fraction(data.get(name, str(getattr(defaults, name))))
                     for name in ("population_weight", "area_weight", "cap", "secondary_weight")))


def parse_parameters(*, population_weight_percent="90", area_weight_percent="10", cap_percent="125",
                     secondary_weight_percent="0") -> Parameters:
    """Percentages as typed (forms and API) -> exact parameters; the weights must sum to 100 %."""
    pop = _percent(population_weight_percent, "population_weight_percent", low=Fraction(0), high=Fraction(1))
    area = _percent(area_weight_percent, "area_weight_percent", low=Fraction(0), high=Fraction(1))
    cap = _percent(cap_percent, "cap_percent", low=Fraction(1), high=Fraction(100))
    secondary = _percent(secondary_weight_percent, "secondary_weight_percent", low=Fraction(0), high=Fraction(1))
    if pop + area != 1 or pop == 0:
        raise ValidationFailed.field("area_weight_percent",
                                     "Bevölkerungs- und Flächengewicht müssen zusammen 100 % ergeben "
                                     "(Bevölkerung über 0 %).")
    return Parameters(pop, area, cap, secondary)
