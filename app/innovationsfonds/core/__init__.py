"""Pure cores of the Innovationsfonds: no database, no Flask, no ``float`` anywhere.

Money is integer cents; scores are exact (``Fraction`` inside) and rounded once, at the end, to
``Decimal`` with 2 places, **half up** (kaufmännisch, ``ROUND_HALF_UP``; scores are never negative).

* :mod:`.scoring` — the score of one review and the aggregate over a sketch's reviews;
* :mod:`.ranking` — the order of the sketches;
* :mod:`.funding` — the selections (funding line, maximum score), waiting list and promotion;
* :mod:`.knapsack` — the exact 0/1 knapsack with group minimums behind the maximum-score selection
  (:mod:`.knapsack_bounds`: its feasible solutions and bounds);
* :mod:`.comparison` — what differs between two selections, in German;
* :mod:`.assignment` — the balanced, conflict-free assignment of reviewers.
"""
