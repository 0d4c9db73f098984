"""F6 Teilhabemanagement: positions in half steps by target-group count, with a minimum per Kommune."""

from __future__ import annotations

from collections.abc import Mapping

from .checks import DistributionError, largest_remainder, whole


def apportion_positions(
    total_positions_halves: int,
    counts: Mapping[str, int],
    *,
    per_position: int = 100,
    minimum_halves: int = 1,
) -> dict[str, int]:
    """F6 Teilhabemanagement: split positions, counted in half positions, by target-group count.

    Each participating Kommune (count > 0) gets at least ``minimum_halves``. A Kommune with
    count 0 gets 0. The minimum is a floor, not a base amount. A Kommune whose proportional quota
    is below the minimum gets exactly the minimum. The remaining halves go to the others in
    proportion to their counts (repeated until no quota is below the minimum) and are rounded by
    largest remainder (ties by AGS ascending). The result mirrors the guideline "one position per
    ``per_position`` Geduldete, at least half a position". With ``per_position`` = 100 and counts
    of 1000, 250 and 30, a total of 26 halves gives exactly 20, 5 and 1. More counts never give
    fewer halves.

    ``per_position`` states the guideline rate. The total is fixed, so the rate only scales every
    quota by the same factor and cancels out. It must be a positive integer.

    Raises ``DistributionError`` (ValueError) if the minimums exceed the total (participating
    Kommunen × ``minimum_halves`` > ``total_positions_halves``). Then nothing is apportioned:
    either raise the total or lower the minimum. It also raises for positions but no participating
    Kommune, and for negative or non-integer input. The sum always equals the total.
    """
    total = whole(total_positions_halves, "Stellen (halbe)")
    minimum = whole(minimum_halves, "Mindestausstattung (halbe Stellen)")
    if whole(per_position, "Personen je Stelle") == 0:
        raise DistributionError("Personen je Stelle muss positiv sein.")
    ordered = sorted((str(ags), whole(count, f"Anzahl {ags}")) for ags, count in counts.items())
    result = {ags: 0 for ags, _ in ordered}
    count = dict(ordered)
    participants = [ags for ags, c in ordered if c > 0]
    if not participants:
        if total:
            raise DistributionError("Keine Kommune mit Zielgruppe: die Stellen können nicht verteilt werden.")
        return result
    if len(participants) * minimum > total:
        raise DistributionError(
            f"Die Mindestausstattung ({len(participants)} Kommunen × {minimum} halbe Stellen = "
            f"{len(participants) * minimum}) übersteigt die {total} verfügbaren halben Stellen."
        )

    floored: list[str] = []
    free = participants
    while True:
        rest = total - minimum * len(floored)
        free_count = sum(count[ags] for ags in free)
        # quota rest × c / C < minimum  <=>  rest × c < minimum × C
        below = [ags for ags in free if rest * count[ags] < minimum * free_count]
        if not below:
            break
        floored += below
        done = set(below)
        free = [ags for ags in free if ags not in done]
    for ags in floored:
        result[ags] = minimum
    parts, _ = largest_remainder(rest, [count[ags] for ags in free], free)
    result.update(zip(free, parts, strict=True))
    return result
