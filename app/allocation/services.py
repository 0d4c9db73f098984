"""Allocation use cases. Each flushes and writes an audit entry; the request edge commits.

Other domains read ceilings only through ``published_ceiling``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from sqlalchemy import Select, func, select

from ..auth.models import Role
from ..auth.permissions import ensure_kommune_access, require, scope_kommune_id
from ..budgets.services import kommune_commitment_cents
from ..platform import audit, clock
from ..platform.database import lock_for_update
from ..platform.errors import Conflict, NotFound, ValidationFailed
from ..platform.extensions import db
from ..platform.formatting import format_date
from ..platform.money import format_eur
from ..platform.numbering import next_number
from ..reference.models import Kommune, Programme
from ..reference.services import kommune_by_ags
from . import distribution
from .keydata import gemeinde_records
from .models import AllocationStatus, AllocationVersion, Ceiling, GiveBack, KeyDataset, KeyDatasetKind
from .permissions import ALLOCATION_MANAGE, GIVE_BACK_DECLARE
from .workflow import VERSION


def published_ceiling(programme_id: int, kommune_id: int, *, lock: bool = False) -> Ceiling | None:
    """The Kommune's ceiling in the programme's currently published allocation version (None if none).

    ``lock=True`` locks the ceiling row (PostgreSQL ``FOR UPDATE``) for a check-then-book sequence.
    """
    statement = (
        select(Ceiling)
        .join(AllocationVersion)
        .where(AllocationVersion.programme_id == programme_id,
               AllocationVersion.status == AllocationStatus.PUBLISHED,
               Ceiling.kommune_id == kommune_id)
    )
    if lock:
        statement = lock_for_update(statement)
    return db.session.scalar(statement)


def open_give_back_cents(programme_id: int, kommune_id: int) -> int:
    """What the Kommune has declared to give back and is not yet redistributed (cents)."""
    return db.session.scalar(
        select(func.coalesce(func.sum(GiveBack.amount_cents), 0))
        .join(AllocationVersion, GiveBack.version_id == AllocationVersion.id)
        .where(AllocationVersion.programme_id == programme_id, AllocationVersion.status == AllocationStatus.PUBLISHED,
               GiveBack.kommune_id == kommune_id, GiveBack.applied_in_id.is_(None))) or 0


def usable_ceiling_cents(programme_id: int, kommune_id: int, *, lock: bool = False) -> int | None:
    """The ceiling a grant decision may use: the published ceiling less the open give-back (None: no ceiling).

    Grant decisions and applications check against this, so money declared as given back can never be
    approved again before the redistribution hands it to others (``lock`` as in ``published_ceiling``).
    """
    ceiling = published_ceiling(programme_id, kommune_id, lock=lock)
    if ceiling is None:
        return None
    return ceiling.ceiling_cents - open_give_back_cents(programme_id, kommune_id)


def _give_back_headroom(programme: Programme, ceiling: Ceiling) -> int:
    """Ceiling less what the Kommune's grants approve: the most it can give back."""
    committed = kommune_commitment_cents(programme.id, ceiling.kommune_id,
                                         [m.code for m in programme.kommune_modules])
    return ceiling.ceiling_cents - committed


# --------------------------------------------------------------------------- parameters


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


# --------------------------------------------------------------------------- reading


def get_dataset(dataset_id: int | None, field: str = "key_dataset_id", kind: str | None = None) -> KeyDataset:
    dataset = db.session.get(KeyDataset, dataset_id) if dataset_id else None
    if dataset is None or (kind is not None and dataset.kind != kind):
        raise ValidationFailed.field(field, "Bitte einen passenden Schlüsseldatensatz wählen.")
    return dataset


def list_datasets(kind: str | None = None) -> list[KeyDataset]:
    statement = select(KeyDataset).order_by(KeyDataset.name, KeyDataset.version.desc())
    if kind:
        statement = statement.where(KeyDataset.kind == kind)
    return list(db.session.scalars(statement))


def visible_versions(actor, programme_id: int) -> Select:
    """Versions of the programme the actor may see (Kommune users: not the drafts), newest first."""
    statement = select(AllocationVersion).where(AllocationVersion.programme_id == programme_id)
    if actor.role == Role.KOMMUNE:
        statement = statement.where(AllocationVersion.status != AllocationStatus.DRAFT)
    return statement.order_by(AllocationVersion.number.desc())


def get_version(version_id: int, actor) -> AllocationVersion:
    """A version the actor may see; drafts are invisible (404) to Kommune users."""
    version = db.session.get(AllocationVersion, version_id)
    if version is None or (actor.role == Role.KOMMUNE and version.status == AllocationStatus.DRAFT):
        raise NotFound("Zuteilungsversion nicht gefunden.")
    return version


def current_version(programme_id: int) -> AllocationVersion | None:
    return db.session.scalar(select(AllocationVersion).where(
        AllocationVersion.programme_id == programme_id, AllocationVersion.status == AllocationStatus.PUBLISHED))


def ceiling_of(version: AllocationVersion, ags: str, actor) -> Ceiling:
    """One Kommune's ceiling in a version; Kommune users only their own (else 404)."""
    kommune = kommune_by_ags(ags)
    if kommune is None:
        raise NotFound("Kommune nicht gefunden.")
    ensure_kommune_access(actor, kommune.id, "Höchstgrenze")
    ceiling = next((c for c in version.ceilings if c.kommune_id == kommune.id), None)
    if ceiling is None:
        raise NotFound("Für diese Kommune gibt es in der Version keine Höchstgrenze.")
    return ceiling


@dataclass
class TableRow:
    ags: str
    name: str
    regierungsbezirk: str
    population: int
    area_hundredths: int
    share: Fraction
    exact_quota_cents: Fraction
    ceiling_cents: int
    given_back_cents: int
    received_cents: int


SORT_KEYS = {
    "ags": lambda r: r.ags, "name": lambda r: r.name.casefold(),
    "regierungsbezirk": lambda r: (r.regierungsbezirk, r.ags),
    "population": lambda r: r.population, "area": lambda r: r.area_hundredths, "share": lambda r: r.share,
    "quota": lambda r: r.exact_quota_cents, "ceiling": lambda r: r.ceiling_cents,
}


def table_rows(version: AllocationVersion, actor, *, sort: str = "ags", descending: bool = False) -> list[TableRow]:
    """The version's rows with the Kommune figures of its key data set, sorted on the server."""
    totals: dict[str, list[int]] = {}
    if version.key_dataset is not None:
        for row in version.key_dataset.gemeinde_rows:
            entry = totals.setdefault(row.kreis_ags, [0, 0])
            entry[0] += row.population
            entry[1] += row.area_hundredths
    scope = scope_kommune_id(actor)
    rows = [
        TableRow(c.kommune.ags, c.kommune.display_name, c.kommune.regierungsbezirk,
                 totals.get(c.kommune.ags, [0, 0])[0], totals.get(c.kommune.ags, [0, 0])[1],
                 Fraction(c.key_share), Fraction(c.exact_quota), c.ceiling_cents, c.given_back_cents,
                 c.received_cents)
        for c in version.ceilings if scope is None or c.kommune_id == scope
    ]
    rows.sort(key=SORT_KEYS.get(sort, SORT_KEYS["ags"]), reverse=descending)
    return rows


def version_chain(version: AllocationVersion) -> list[AllocationVersion]:
    """The version and its ancestors, oldest (the computed split) first."""
    chain = [version]
    while chain[-1].parent is not None and len(chain) < 1000:
        chain.append(chain[-1].parent)
    return list(reversed(chain))


def explain(version: AllocationVersion, ceiling: Ceiling) -> list[tuple[str, str]]:
    """German steps from the key data to this Kommune's ceiling, including any redistributions."""
    chain = version_chain(version)
    root = chain[0]
    ags = ceiling.kommune.ags
    root_ceiling = next((c for c in root.ceilings if c.kommune_id == ceiling.kommune_id), None)
    if root.key_dataset is None or root_ceiling is None:
        raise NotFound("Für diese Version gibt es keine Herleitung.")
    params = Parameters.from_json(root.parameters)
    records = gemeinde_records(root.key_dataset)
    key = distribution.flueag_key(records, population_weight=params.population_weight,
                                  area_weight=params.area_weight, cap=params.cap)
    row = distribution.CeilingRow(ags, Fraction(root_ceiling.key_share), Fraction(root_ceiling.exact_quota),
                                  root_ceiling.ceiling_cents)
    steps = distribution.explain_ceiling(
        ags, records, key, Fraction(root_ceiling.key_share), root.pool_cents, row,
        population_weight=params.population_weight, area_weight=params.area_weight, cap=params.cap,
        gemeinde_to_kommune={r["ags"]: r["kreis_ags"] for r in records})
    dataset = root.key_dataset
    steps.insert(0, ("Datengrundlage", f"{dataset.label}, Stichtag {format_date(dataset.reference_date)}"))
    if root.secondary_dataset is not None:
        steps.insert(1, ("Zweiter Faktor", f"{root.secondary_dataset.label}, Gewicht "
                                           f"{distribution.format_number(params.secondary_weight * 100, 2)} %"))
    for later in chain[1:]:
        mine = next((c for c in later.ceilings if c.kommune_id == ceiling.kommune_id), None)
        if mine is None:
            continue
        steps.append((f"Umverteilung (Version {later.number}): Rückgabe", format_eur(-mine.given_back_cents)))
        steps.append((f"Umverteilung (Version {later.number}): Zuteilung aus freigewordenen Mitteln",
                      format_eur(mine.received_cents)))
        steps.append((f"Zuwendungshöchstgrenze in Version {later.number}", format_eur(mine.ceiling_cents)))
    return steps


# --------------------------------------------------------------------------- use cases


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
        programme_id=programme.id, number=number, title=(title or "").strip()[:200] or f"Zuteilung {number}",
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


def open_give_backs(version: AllocationVersion) -> list[GiveBack]:
    return list(db.session.scalars(select(GiveBack).where(GiveBack.version_id == version.id,
                                                          GiveBack.applied_in_id.is_(None)).order_by(GiveBack.id)))


def list_give_backs(actor, programme_id: int) -> list[GiveBack]:
    statement = (select(GiveBack).join(AllocationVersion, GiveBack.version_id == AllocationVersion.id)
                 .where(AllocationVersion.programme_id == programme_id).order_by(GiveBack.id.desc()))
    scope = scope_kommune_id(actor)
    if scope is not None:
        statement = statement.where(GiveBack.kommune_id == scope)
    return list(db.session.scalars(statement))


def declare_give_back(programme: Programme, *, actor, kommune_ags: str | None, amount_cents: int,
                      max_usable_cents: int | None = None, note: str = "") -> GiveBack:
    """A Kommune declares what it gives back of its published ceiling and/or the most it can still use.

    One open declaration per Kommune and version: a new one replaces the values of the open one.
    """
    require(actor, GIVE_BACK_DECLARE)
    if actor.role == Role.KOMMUNE and not kommune_ags:
        kommune_ags = actor.kommune.ags
    kommune = kommune_by_ags(kommune_ags or "")
    if kommune is None:
        raise ValidationFailed.field("kommune_ags", "Bitte eine Kommune angeben.")
    ensure_kommune_access(actor, kommune.id, "Kommune")
    version = current_version(programme.id)
    if version is None:
        raise Conflict("Es gibt noch keine veröffentlichte Zuteilung.")
    ceiling = next((c for c in version.ceilings if c.kommune_id == kommune.id), None)
    if ceiling is None:
        raise ValidationFailed.field("kommune_ags", "Diese Kommune hat in der veröffentlichten Zuteilung keine "
                                                    "Höchstgrenze.")
    published_ceiling(programme.id, kommune.id, lock=True)  # serialise with grant decisions against it
    headroom = _give_back_headroom(programme, ceiling)
    if amount_cents > headroom:
        raise ValidationFailed.field(
            "amount", f"Die Rückgabe von {format_eur(amount_cents)} übersteigt den nicht bewilligten Teil der "
                      f"Höchstgrenze ({format_eur(max(headroom, 0))}: Höchstgrenze "
                      f"{format_eur(ceiling.ceiling_cents)} abzüglich bewilligter Zuwendung "
                      f"{format_eur(ceiling.ceiling_cents - headroom)}).")
    if amount_cents == 0 and max_usable_cents is None:
        raise ValidationFailed.field("amount", "Bitte einen Rückgabebetrag oder eine Obergrenze angeben.")
    if amount_cents > 0 and max_usable_cents is not None:
        raise ValidationFailed.field("max_usable", "Wer Mittel zurückgibt, erhält keine weiteren: bitte "
                                                   "keine Obergrenze angeben.")
    existing = db.session.scalar(lock_for_update(select(GiveBack).where(
        GiveBack.version_id == version.id, GiveBack.kommune_id == kommune.id, GiveBack.applied_in_id.is_(None))))
    before = None
    if existing is None:
        existing = GiveBack(version_id=version.id, kommune_id=kommune.id, created_at=clock.now(),
                            created_by_id=actor.id)
        db.session.add(existing)
    else:
        before = {"amount_cents": existing.amount_cents, "max_usable_cents": existing.max_usable_cents}
    existing.amount_cents, existing.max_usable_cents = amount_cents, max_usable_cents
    existing.note = (note or "").strip()[:2000]
    db.session.flush()
    audit.record("allocation.give_back.declare", "allocation_give_back", existing.id, actor=actor,
                 kommune_id=kommune.id, before=before,
                 after={"version": version.number, "amount_cents": amount_cents, "max_usable_cents": max_usable_cents})
    return existing


def release_to_redistribution(programme: Programme, kommune_id: int, amount_cents: int, *, note: str,
                              actor) -> GiveBack | None:
    """Money a reducing amendment released goes into the Kommune's open give-back (created if needed).

    It is offered to the next redistribution like a declared give-back; a "most it can still use" declared
    before is dropped, because who gives back takes nothing. None when nothing is published or released.
    """
    version = current_version(programme.id)
    if version is None or amount_cents <= 0:
        return None
    existing = db.session.scalar(lock_for_update(select(GiveBack).where(
        GiveBack.version_id == version.id, GiveBack.kommune_id == kommune_id, GiveBack.applied_in_id.is_(None))))
    before = None
    if existing is None:
        existing = GiveBack(version_id=version.id, kommune_id=kommune_id, amount_cents=0, note="",
                            created_at=clock.now(), created_by_id=actor.id if actor else None)
        db.session.add(existing)
    else:
        before = {"amount_cents": existing.amount_cents, "max_usable_cents": existing.max_usable_cents}
    existing.amount_cents += amount_cents
    existing.max_usable_cents = None
    existing.note = "\n".join(part for part in (existing.note, note) if part)[:2000]
    db.session.flush()
    audit.record("allocation.give_back.release", "allocation_give_back", existing.id, actor=actor,
                 kommune_id=kommune_id, before=before,
                 after={"version": version.number, "amount_cents": existing.amount_cents,
                        "released_cents": amount_cents, "note": note})
    return existing


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
                 f"nicht bewilligt nur {format_eur(max(_give_back_headroom(programme, c), 0))}"
                 for c in version.ceilings if c.kommune_id in by_kommune
                 and by_kommune[c.kommune_id].amount_cents > _give_back_headroom(programme, c)]
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


# --------------------------------------------------------------------------- F6 positions

F6_POSITIONS = 106


@dataclass
class PositionRow:
    ags: str
    name: str
    count: int
    halves: int

    @property
    def positions(self) -> Decimal:
        return Decimal(self.halves) / 2


def positions(dataset_id: int | None, total_positions: int = F6_POSITIONS) -> list[PositionRow]:
    """F6 Teilhabemanagement: ``total_positions`` in half steps by the target-group counts."""
    dataset = get_dataset(dataset_id, "dataset_id", KeyDatasetKind.COUNTS)
    if not 0 < total_positions <= 10_000:
        raise ValidationFailed.field("total", "Bitte eine Stellenzahl zwischen 1 und 10.000 angeben.")
    counts = {r.ags: r.count for r in dataset.count_rows}
    try:
        halves = distribution.apportion_positions(total_positions * 2, counts)
    except distribution.DistributionError as error:
        raise ValidationFailed.field("dataset_id", str(error)) from None
    kommunen = {k.ags: k for k in db.session.scalars(select(Kommune))}
    return [PositionRow(ags, kommunen[ags].display_name if ags in kommunen else ags, counts[ags], halves[ags])
            for ags in sorted(counts)]
