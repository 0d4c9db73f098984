"""API schemas of the allocation domain. Money as "1234.56" strings, shares as exact "n/d" strings."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, fields, post_load, validate

from ..platform import limits
from ..platform.fields import Day, text
from ..platform.money import Money
from . import keydata
from .parameters import parse_parameters
from .services.positions import F6_POSITIONS, MAX_POSITIONS, POSITIONS_MESSAGE

PERCENT = validate.Regexp(r"^\d{1,6}([.,]\d{1,6})?$", error="Prozentangabe wie \"90\" oder \"12.5\" erwartet.")


class KeyDatasetOut(Schema):
    id = fields.Int()
    name = fields.Str()
    version = fields.Int()
    kind = fields.Str()
    reference_date = fields.Date()
    source = fields.Str()
    row_count = fields.Int()
    total = fields.Int()
    created_at = fields.DateTime()


def _id(**kwargs) -> fields.Integer:
    """The id of a key data set (the page's selects send it as text)."""
    return fields.Int(validate=validate.Range(min=1, max=limits.MAX_ID), error_messages={
        "invalid": "Bitte einen Datensatz wählen.", "required": "Bitte einen Datensatz wählen."}, **kwargs)


class KeyDatasetMeta(Schema):
    """What the import page asks besides the file."""

    kind = fields.Str(load_default="gemeinden", validate=validate.OneOf(["gemeinden", "counts"]))
    name = text(limits.NAME, required=True)
    reference_date = Day(required=True)
    source = text(limits.REASON, required=True)


class KeyDatasetIn(KeyDatasetMeta):
    kind = fields.Str(required=True, validate=validate.OneOf(["gemeinden", "counts"]))
    csv = text(keydata.MAX_TEXT, required=True,
               metadata={"description": "The file content (UTF-8 CSV, header line first)."})


class VersionIn(Schema):
    """A new version (page and API); loads as the keyword arguments of ``services.create_version``."""

    title = text(limits.NAME, load_default="")
    pool_cents = Money(required=True, data_key="pool")
    key_dataset_id = _id(required=True)
    population_weight_percent = fields.Str(load_default="90", validate=PERCENT)
    area_weight_percent = fields.Str(load_default="10", validate=PERCENT)
    cap_percent = fields.Str(load_default="125", validate=PERCENT)
    secondary_dataset_id = _id(load_default=None, allow_none=True)
    secondary_weight_percent = fields.Str(load_default="0", validate=PERCENT)
    note = text(limits.REASON, load_default="")

    @post_load
    def _parameters(self, data: dict, **_kwargs) -> dict:
        """The percentages as exact key parameters (422 naming the field, e.g. weights not summing to 100 %)."""
        names = ("population_weight_percent", "area_weight_percent", "cap_percent", "secondary_weight_percent")
        data["parameters"] = parse_parameters(**{name: data.pop(name) for name in names})
        return data


class CeilingOut(Schema):
    ags = fields.Str()
    name = fields.Str()
    regierungsbezirk = fields.Str()
    population = fields.Int()
    area_km2 = fields.Method("_area")
    key_share = fields.Method("_share", metadata={"description": "exact fraction n/d"})
    exact_quota_cents = fields.Method("_quota", metadata={"description": "exact quota in cents, fraction n/d"})
    ceiling = Money(attribute="ceiling_cents")
    given_back = Money(attribute="given_back_cents")
    received = Money(attribute="received_cents")

    def _area(self, row) -> str:
        return f"{row.area_hundredths // 100}.{row.area_hundredths % 100:02d}"

    def _share(self, row) -> str:
        return str(row.share)

    def _quota(self, row) -> str:
        return str(row.exact_quota_cents)


class VersionOut(Schema):
    id = fields.Int()
    number = fields.Int()
    title = fields.Str()
    status = fields.Str(attribute="status.value")
    pool = Money(attribute="pool_cents")
    unallocated = Money(attribute="unallocated_cents")
    parameters = fields.Dict()
    parent_id = fields.Int(allow_none=True)
    key_dataset_id = fields.Int(allow_none=True)
    secondary_dataset_id = fields.Int(allow_none=True)
    note = fields.Str()
    created_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)
    superseded_at = fields.DateTime(allow_none=True)


class VersionDetailOut(VersionOut):
    ceilings = fields.List(fields.Nested(CeilingOut))
    total = Money()


class StepOut(Schema):
    label = fields.Str()
    value = fields.Str()


class ExplanationOut(Schema):
    version_id = fields.Int()
    ags = fields.Str()
    ceiling = Money(attribute="ceiling_cents")
    steps = fields.List(fields.Nested(StepOut))


class RedistributeIn(Schema):
    note = text(limits.REASON, load_default="")


class GiveBackIn(Schema):
    """A give-back declaration (page and API); loads as the keyword arguments of ``services.declare_give_back``."""

    kommune_ags = fields.Str(load_default=None, validate=validate.Regexp(r"^\d{5}$"))
    amount_cents = Money(load_default=0, data_key="amount")
    max_usable_cents = Money(load_default=None, allow_none=True, data_key="max_usable")
    note = text(limits.REASON, load_default="")


class GiveBackOut(Schema):
    id = fields.Int()
    version_id = fields.Int()
    kommune_ags = fields.Str(attribute="kommune.ags")
    amount = Money(attribute="amount_cents")
    max_usable = Money(attribute="max_usable_cents", allow_none=True)
    note = fields.Str()
    created_at = fields.DateTime()
    applied_in_id = fields.Int(allow_none=True)


class PositionsQuery(Schema):
    dataset_id = _id(required=True)
    total = fields.Int(load_default=F6_POSITIONS, validate=validate.Range(
        min=1, max=MAX_POSITIONS, error=POSITIONS_MESSAGE), error_messages={"invalid": POSITIONS_MESSAGE})


class PositionsVersionIn(PositionsQuery):
    """A positions version to store as a draft: the data set, the total and an optional title."""

    title = text(limits.NAME, load_default="")


class PositionShareOut(Schema):
    ags = fields.Str(attribute="kommune.ags")
    name = fields.Str(attribute="kommune.display_name")
    count = fields.Int()
    positions = fields.Function(lambda s: str(Decimal(s.halves) / 2))


class PositionsVersionOut(Schema):
    id = fields.Int()
    number = fields.Int()
    title = fields.Str()
    status = fields.Function(lambda v: v.status.value)
    positions = fields.Function(lambda v: str(Decimal(v.total_halves) / 2))
    dataset_id = fields.Int()
    published_at = fields.DateTime(allow_none=True)
    shares = fields.List(fields.Nested(PositionShareOut))


class PositionOut(Schema):
    ags = fields.Str()
    name = fields.Str()
    count = fields.Int()
    positions = fields.Decimal(as_string=True, places=1)


class ExportQuery(Schema):
    format = fields.Str(load_default="csv", validate=validate.OneOf(["csv", "xlsx"]))


class PositionsExportQuery(PositionsQuery):
    format = fields.Str(load_default="csv", validate=validate.OneOf(["csv", "xlsx"]))


class SortQuery(Schema):
    sort = fields.Str(load_default="ags", validate=validate.OneOf(
        ["ags", "name", "regierungsbezirk", "population", "area", "share", "quota", "ceiling"]))
    direction = fields.Str(load_default="asc", validate=validate.OneOf(["asc", "desc"]))
