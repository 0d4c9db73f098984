"""Distribution key and exact ceilings for the Bausteine F1–F4, and the F6 positions.

Pure arithmetic, no database and no Flask. Every share is a ``fractions.Fraction``, every result an
integer number of cents (or half positions). ``float`` never appears: a float input is rejected.

* ``flueag_key``: the Gemeinde key of **§ 3 Abs. 1 FlüAG NRW**. Key = 90 % × population share +
  10 % × area share. The rise that the area share causes is capped at 25 % above the
  population-only key (key ≤ 1.25 × population share). What is cut off is spread over the other,
  uncapped Gemeinden in proportion to their keys, repeated while that pushes another Gemeinde
  over its cap. The keys sum to exactly 1.
* ``kommune_shares``: the share of a Kreis / kreisfreie Stadt is the sum of its Gemeinden's keys.
* ``combine_factors``: the optional second factor, e.g. the local number of Geduldete and
  Gestattete (configurable, because the public record is silent on it).
* ``split_pool``: the Zuwendungshöchstgrenzen (grant ceilings) in whole cents.
* ``redistribute``: spreads released money by share, each recipient up to its cap.
* ``apportion_positions``: the F6 Teilhabemanagement positions in half steps.
* ``explain_ceiling``: how one ceiling was computed, as German steps for people to read.

**Rounding rule.** Each result is rounded once, at the end, by Hare-Niemeyer (largest
remainder), the rule of ``app.money.split_largest_remainder``, here in integers only. Every
recipient first gets the integer part of its exact quota. The units still missing go one each to the largest fractional
remainders.

**Tie-break.** Equal remainders go by AGS ascending. The AGS is compared as a string. Every AGS
in one call has the same number of digits (5 for a Kommune, 8 for a Gemeinde), so string order
is numeric order.

As a result, the parts sum exactly to the total, and each part is less than one unit away from
its exact quota. The order of the input never changes a single cent: everything is sorted by AGS
first.
"""

from .checks import DistributionError
from .explain import explain_ceiling, format_number, rounded
from .key import KeyDetail, combine_factors, flueag_key, flueag_key_details, kommune_shares
from .positions import apportion_positions
from .split import CeilingRow, Redistribution, redistribute, split_pool

__all__ = [
    "CeilingRow",
    "DistributionError",
    "KeyDetail",
    "Redistribution",
    "apportion_positions",
    "combine_factors",
    "explain_ceiling",
    "flueag_key",
    "flueag_key_details",
    "format_number",
    "kommune_shares",
    "redistribute",
    "rounded",
    "split_pool",
]
