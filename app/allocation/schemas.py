"""API schemas of the allocation domain. Money as "1234.56" strings, shares as exact "n/d" strings."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..platform.money import Money

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


class KeyDatasetIn(Schema):
    kind = fields.Str(required=True, validate=validate.OneOf(["gemeinden", "counts"]))
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    reference_date = fields.Date(required=True)
    source = fields.Str(required=True, validate=validate.Length(min=1, max=2000))
    csv = fields.Str(required=True, validate=validate.Length(min=1, max=5_000_000),
                     metadata={"description": "The file content (UTF-8 CSV, header line first)."})


class VersionIn(Schema):
    title = fields.Str(load_default="", validate=validate.Length(max=200))
    pool = Money(required=True)
    key_dataset_id = fields.Int(required=True, validate=validate.Range(min=1, max=2147483647))
    population_weight_percent = fields.Str(load_default="90", validate=PERCENT)
    area_weight_percent = fields.Str(load_default="10", validate=PERCENT)
    cap_percent = fields.Str(load_default="125", validate=PERCENT)
    secondary_dataset_id = fields.Int(load_default=None, allow_none=True,
                                      validate=validate.Range(min=1, max=2147483647))
    secondary_weight_percent = fields.Str(load_default="0", validate=PERCENT)
    note = fields.Str(load_default="", validate=validate.Length(max=2000))


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
    note = fields.Str(load_default="", validate=validate.Length(max=2000))


class GiveBackIn(Schema):
    kommune_ags = fields.Str(load_default=None, validate=validate.Regexp(r"^\d{5}$"))
    amount = Money(load_default=0)
    max_usable = Money(load_default=None, allow_none=True)
    note = fields.Str(load_default="", validate=validate.Length(max=2000))


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
    dataset_id = fields.Int(required=True, validate=validate.Range(min=1, max=2147483647))
    total = fields.Int(load_default=106, validate=validate.Range(min=1, max=10_000))


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
