"""Version use cases: compute a draft from a key data set, publish it, redistribute the give-backs.

Each flushes and writes an audit entry; the request edge commits. Numbers come from the platform's
locked series per programme (``next_version_number``).
"""

from __future__ import annotations

from fractions import Fraction

from sqlalchemy import select

from ...auth.permissions import require
from ...platform import audit, clock, limits
from ...platform.database import lock_for_update
from ...platform.errors import Conflict, ValidationFailed
from ...platform.extensions import db
from ...platform.money import format_eur
from ...platform.numbering import next_number
from ...reference.models import Kommune, Programme
from .. import distribution
from ..keydata import gemeinde_records
from ..models import AllocationStatus, AllocationVersion, Ceiling, KeyDatasetKind
from ..parameters import Parameters
from ..permissions import ALLOCATION_MANAGE
from ..workflow import VERSION
from .give_backs import give_back_headroom, open_give_backs
from .reading import get_dataset


def _snapshot(version: AllocationVersion) -> dict:
    return {"number": version.number, "status": version.status, "pool_cents": version.pool_cents,
            "ceilings_cents": sum(c.ceiling_cents for c in version.ceilings),
            "unallocated_cents": version.unallocated_cents, "parameters": version.parameters}


def next_version_number(programme_id: int) -> int:
    """The programme's next version number (1, 2, ...), from the platform's locked counter."""
    return next_number(f"allocation-{programme_id}")


def create_version(programme: Programme, *, actor, pool_cents: int, key_dataset_id: int | None,
                   parameters: Parameters = Parameters(), secondary_dataset_id: int | None = None,
                   title: str = "", note: str = "", actor_label: str | None = None) -> AllocationVersion:
    """A draft version: the FlüAG key of the data set (optionally weighted by a count data set),
    the pool split exactly into ceilings per Kommune."""
    if actor is not None:
        require(actor, ALLOCATION_MANAGE)
    if not 0 < pool_cents <= programme.pool_cents:
        raise ValidationFailed.field("pool", "Der Fördertopf muss größer als 0 sein und darf den Pool F1–F4 "
                                             f"des Programms ({format_eur(programme.pool_cents)}) nicht übersteigen.")
    dataset = get_dataset(key_dataset_id, "key_dataset_id", KeyDatasetKind.GEMEINDEN)
    secondary = None
    if parameters.secondary_weight > 0:
        secondary = get_dataset(secondary_dataset_id, "secondary_dataset_id", KeyDatasetKind.COUNTS)
    elif secondary_dataset_id:
        raise ValidationFailed.field("secondary_weight_percent",
                                     "Für den zweiten Faktor bitte ein Gewicht über 0 % angeben.")
    records = gemeinde_records(dataset)
    try:
        key = distribution.flueag_key(records, population_weight=parameters.population_weight,
                                      area_weight=parameters.area_weight, cap=parameters.cap)
        shares = distribution.kommune_shares(key, {r["ags"]: r["kreis_ags"] for r in records})
        if secondary is not None:
            counts = {r.ags: r.count for r in secondary.count_rows}
            shares = distribution.combine_factors(shares, {ags: counts.get(ags, 0) for ags in shares},
                                                  parameters.secondary_weight)
        rows = distribution.split_pool(pool_cents, shares)
    except distribution.DistributionError as error:
        raise ValidationFailed.field("key_dataset_id", str(error)) from None
    kommunen = {k.ags: k for k in db.session.scalars(select(Kommune))}
    number = next_version_number(programme.id)
    version = AllocationVersion(
        programme_id=programme.id, number=number, title=(title or "").strip()[:limits.NAME] or f"Zuteilung {number}",
        status=AllocationStatus.DRAFT, pool_cents=pool_cents, parameters=parameters.to_json(),
        note=(note or "").strip(), created_at=clock.now(), created_by_id=actor.id if actor is not None else None,
        key_dataset_id=dataset.id, secondary_dataset_id=secondary.id if secondary else None, unallocated_cents=0)
    version.ceilings = [
        Ceiling(kommune_id=kommunen[r.ags].id, key_share=str(r.share), exact_quota=str(r.exact_quota_cents),
                ceiling_cents=r.ceiling_cents, given_back_cents=0, received_cents=0)
        for r in rows
    ]
    db.session.add(version)
    db.session.flush()
    audit.record("allocation.version.create", "allocation_version", version.id, actor=actor,
                 actor_label=actor_label, after=_snapshot(version))
    return version


def _supersede_current(programme_id: int, actor, actor_label: str | None, exclude_id: int) -> None:
    current = db.session.scalar(lock_for_update(select(AllocationVersion).where(
        AllocationVersion.programme_id == programme_id, AllocationVersion.status == AllocationStatus.PUBLISHED,
        AllocationVersion.id != exclude_id)))
    if current is None:
        return
    before = _snapshot(current)
    current.status = VERSION.check(current.status, "supersede", actor, system=actor is None)
    current.superseded_at = clock.now()
    db.session.flush()
    audit.record("allocation.version.supersede", "allocation_version", current.id, actor=actor,
                 actor_label=actor_label, before=before, after=_snapshot(current))


def publish_version(version: AllocationVersion, *, actor, actor_label: str | None = None) -> AllocationVersion:
    """Publish a draft: immutable from now on; the programme's previous published version is superseded."""
    new_status = VERSION.check(version.status, "publish", actor, system=actor is None)
    before = _snapshot(version)
    _supersede_current(version.programme_id, actor, actor_label, version.id)
    version.status = new_status
    version.published_at = clock.now()
    db.session.flush()
    audit.record("allocation.version.publish", "allocation_version", version.id, actor=actor,
                 actor_label=actor_label, before=before, after=_snapshot(version))
    return version


def redistribute_version(version: AllocationVersion, *, actor, note: str = "") -> AllocationVersion:
    """Apply the open give-backs: a new published version spreads the released money by the same key
    over the other Kommunen, none above what it says it can still use; the old one is superseded."""
    replaced_status = VERSION.check(version.status, "redistribute", actor)
    declarations = open_give_backs(version)
    if not declarations:
        raise Conflict("Es liegen keine offenen Rückgabe-Erklärungen vor.")
    by_kommune = {d.kommune_id: d for d in declarations}
    ceilings = {c.kommune.ags: c for c in version.ceilings}
    programme = db.session.get(Programme, version.programme_id)
    too_large = [f"{c.kommune.display_name}: Rückgabe {format_eur(by_kommune[c.kommune_id].amount_cents)}, "
                 f"nicht bewilligt nur {format_eur(max(give_back_headroom(programme, c), 0))}"
                 for c in version.ceilings if c.kommune_id in by_kommune
                 and by_kommune[c.kommune_id].amount_cents > give_back_headroom(programme, c)]
    if too_large:  # a grant decided after the declaration: the give-back must be corrected first
        raise ValidationFailed("Rückgaben übersteigen den nicht bewilligten Teil der Höchstgrenze.",
                               errors={"give_backs": too_large})
    given = {ags: (by_kommune[c.kommune_id].amount_cents if c.kommune_id in by_kommune else 0)
             for ags, c in ceilings.items()}
    caps: dict[str, int | None] = {}
    for ags, c in ceilings.items():
        declaration = by_kommune.get(c.kommune_id)
        if given[ags] > 0:
            caps[ags] = 0  # who gives back takes nothing
        elif declaration is not None and declaration.max_usable_cents is not None:
            caps[ags] = max(0, declaration.max_usable_cents - c.ceiling_cents)
        else:
            caps[ags] = None
    released = sum(given.values()) + version.unallocated_cents
    result = distribution.redistribute(released, {ags: Fraction(c.key_share) for ags, c in ceilings.items()}, caps)
    before = _snapshot(version)
    new = AllocationVersion(
        programme_id=version.programme_id, number=next_version_number(version.programme_id),
        title=f"Umverteilung zu Version {version.number}", status=AllocationStatus.PUBLISHED,
        pool_cents=version.pool_cents, parameters=version.parameters, parent_id=version.id,
        note=(note or "").strip(), created_at=clock.now(), created_by_id=actor.id, published_at=clock.now(),
        key_dataset_id=version.key_dataset_id, secondary_dataset_id=version.secondary_dataset_id,
        unallocated_cents=result.undistributed_cents)
    new.ceilings = [
        Ceiling(kommune_id=c.kommune_id, key_share=c.key_share, exact_quota=c.exact_quota,
                ceiling_cents=c.ceiling_cents - given[ags] + result.amounts[ags],
                given_back_cents=given[ags], received_cents=result.amounts[ags])
        for ags, c in ceilings.items()
    ]
    version.status = replaced_status
    version.superseded_at = clock.now()
    db.session.flush()  # the old one leaves "published" before the new one enters it
    db.session.add(new)
    db.session.flush()
    for declaration in declarations:
        declaration.applied_in_id = new.id
    db.session.flush()
    if sum(c.ceiling_cents for c in new.ceilings) + new.unallocated_cents != new.pool_cents:
        raise AssertionError("redistribution lost or created money")
    audit.record("allocation.version.redistribute", "allocation_version", version.id, actor=actor,
                 before=before, after={**_snapshot(version), "replaced_by": new.number})
    audit.record("allocation.version.publish", "allocation_version", new.id, actor=actor,
                 after={**_snapshot(new), "released_cents": released, "give_backs": len(declarations)})
    return new
