"""How one ceiling came about, as German steps for people to read (values rounded for display only)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any

from app.platform.formatting import format_decimal
from app.platform.money import format_eur

from .checks import DistributionError
from .key import flueag_key_details
from .split import CeilingRow


def rounded(value: Fraction | int, places: int) -> Decimal:
    """An exact value rounded half up to ``places`` decimals (for display and text exports only)."""
    value = Fraction(value)
    with localcontext() as ctx:
        ctx.prec = 80
        return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
            Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_number(value: Fraction | int, places: int) -> str:
    """German number: 1234567.891 -> "1.234.567,89" (rounded half up, for display only)."""
    return format_decimal(rounded(value, places), places)



def _pct(value: Fraction) -> str:
    return f"{format_number(value * 100, 6)} %"


def explain_ceiling(
    ags: str,
    gemeinde_rows: Iterable[Any],
    key: Mapping[str, Fraction],
    kommune_share: Fraction,
    pool_cents: int,
    ceiling_row: CeilingRow,
    *,
    population_weight: Fraction = Fraction(9, 10),
    area_weight: Fraction = Fraction(1, 10),
    cap: Fraction = Fraction(5, 4),
    gemeinde_to_kommune: Mapping[str, str] | None = None,
) -> list[tuple[str, str]]:
    """How the ceiling of Kommune ``ags`` came about, as German (label, value) steps.

    ``gemeinde_rows`` are *all* Gemeinden, because the shares need the NRW totals. ``key`` is the
    result of ``flueag_key``. The Kommune's Gemeinden are those that ``gemeinde_to_kommune`` maps to
    ``ags``, or by default those whose AGS starts with it. If ``kommune_share`` differs from the
    sum of the Gemeinde keys, a second factor was applied, and that is shown. Values are
    formatted the German way and rounded for display only.
    """
    if ceiling_row.ags != ags:
        raise DistributionError(f"Die Zeile gehört zu {ceiling_row.ags}, nicht zu {ags}.")
    if ceiling_row.share != kommune_share:
        raise DistributionError(f"Der Anteil in der Zeile passt nicht zum Anteil der Kommune {ags}.")
    details = flueag_key_details(
        gemeinde_rows, population_weight=population_weight, area_weight=area_weight, cap=cap
    )

    def belongs(gemeinde: str) -> bool:
        if gemeinde_to_kommune is not None:
            return str(gemeinde_to_kommune.get(gemeinde, "")) == ags
        return gemeinde.startswith(ags)

    members = [d for d in details.values() if belongs(d.ags)]
    if not members:
        raise DistributionError(f"Keine Gemeinde gehört zur Kommune {ags}.")
    missing = [d.ags for d in members if d.ags not in key]
    if missing:
        raise DistributionError(f"Für die Gemeinden {', '.join(missing)} fehlt der Schlüssel.")

    population = sum(d.population for d in members)
    total_population = sum(d.population for d in details.values())
    area = sum((d.area for d in members), Fraction(0))
    total_area = sum((d.area for d in details.values()), Fraction(0))
    pop_share = sum((d.population_share for d in members), Fraction(0))
    area_share = sum((d.area_share for d in members), Fraction(0))
    uncapped = sum((d.uncapped_key for d in members), Fraction(0))
    key_sum = sum((Fraction(key[d.ags]) for d in members), Fraction(0))
    capped = [d.ags for d in members if d.capped]
    # § 3 Abs. 1 FlüAG: what capped Gemeinden elsewhere lose is spread over the uncapped ones by their keys
    after_own_cap = sum((d.key if d.capped else d.uncapped_key for d in members), Fraction(0))
    capped_in_nrw = sum(1 for d in details.values() if d.capped)
    spread = key_sum - after_own_cap

    if capped:
        cap_text = (
            f"ja: {len(capped)} von {len(members)} Gemeinden auf {format_number(cap * 100, 2)} % "
            f"gekappt ({', '.join(capped)})"
        )
    else:
        cap_text = "nein: keine Gemeinde über der Kappungsgrenze"
    share_text = _pct(kommune_share)
    if kommune_share != key_sum:
        share_text += " (mit zweitem Faktor gewichtet)"

    exact = ceiling_row.exact_quota_cents
    floor_cents = exact.numerator // exact.denominator
    remainder = exact - floor_cents
    if remainder == 0:
        rounding = "keine Rundung nötig (exakter Betrag in ganzen Cent)"
    elif ceiling_row.ceiling_cents > floor_cents:
        rounding = f"Rest {format_number(remainder, 6)} Cent: +1 Cent aufgerundet (größter Rest, Gleichstand nach AGS)"
    else:
        rounding = f"Rest {format_number(remainder, 6)} Cent: abgerundet (Rest nicht unter den größten)"

    return [
        ("Kommune (AGS)", ags),
        ("Gemeinden", str(len(members))),
        ("Bevölkerung (Kommune / NRW)", f"{format_number(population, 0)} / {format_number(total_population, 0)}"),
        ("Bevölkerungsanteil", _pct(pop_share)),
        ("Fläche (Kommune / NRW)", f"{format_number(area, 2)} km² / {format_number(total_area, 2)} km²"),
        ("Flächenanteil", _pct(area_share)),
        (
            f"Schlüssel ohne Kappung ({format_number(population_weight * 100, 0)} % Bevölkerung + "
            f"{format_number(area_weight * 100, 0)} % Fläche)",
            _pct(uncapped),
        ),
        (f"Kappung (höchstens {format_number(cap * 100, 2)} % des Bevölkerungsanteils)", cap_text),
        (
            "Umlage der gekappten Anteile",
            f"{'+' if spread >= 0 else '−'}{_pct(abs(spread))}: was {format_number(capped_in_nrw, 0)} gekappte "
            "Gemeinden in NRW "
            "über der Grenze hätten, wird auf die übrigen Gemeinden nach ihrem Schlüssel umgelegt "
            "(wiederholt, bis keine mehr über der Grenze liegt)" if capped_in_nrw else "keine: keine Gemeinde gekappt",
        ),
        ("Schlüssel nach Kappung und Umlage (§ 3 Abs. 1 FlüAG NRW)", _pct(key_sum)),
        ("Anteil der Kommune", share_text),
        ("Fördertopf", format_eur(pool_cents)),
        ("Exakter Anteil am Fördertopf", f"{format_number(exact / 100, 6)} €"),
        ("Rundung", rounding),
        ("Zuwendungshöchstgrenze", format_eur(ceiling_row.ceiling_cents)),
    ]
