"""SVG renderers: all 53 areas, correct colour classes, escaped labels, valid XML."""

from datetime import date
from xml.etree import ElementTree

from hypothesis import given
from hypothesis import strategies as st

from app.platform.web.charts import Series, bar_chart, line_chart
from app.platform.web.nrwmap import NO_DATA, SCALE, classify, map_areas, render_map

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup) -> ElementTree.Element:
    text = str(markup)
    start = text.index("<svg")
    return ElementTree.fromstring(text[start:text.index("</svg>") + 6])


def test_map_has_all_53_areas_linked_and_coloured():
    areas, _w, _h = map_areas()
    assert len(areas) == 53 and len({a.ags for a in areas}) == 53
    values = {a.ags: int(a.ags) for a in areas}  # increasing by AGS
    values["05111"] = None
    svg = _parse(render_map(values, title="Test", link=lambda ags: f"/k/{ags}"))
    paths = svg.findall(f".//{SVG}path")
    assert len(paths) == 53
    colours = {p.get("data-ags"): p.get("fill") for p in paths}
    assert colours["05111"] == NO_DATA
    assert colours["05112"] == SCALE[0] and colours["05978"] == SCALE[-1]
    links = svg.findall(f".//{SVG}a")
    assert len(links) == 53 and links[0].get("href").startswith("/k/")


def test_classify_puts_min_and_max_in_first_and_last_class():
    classes, bounds = classify({"a": 0, "b": 50, "c": 100, "d": None})
    assert classes == {"a": 0, "b": 2, "c": 4} and bounds[0] == 0 and bounds[-1] == 100


def test_line_chart_escapes_labels_and_draws_each_series():
    svg = _parse(line_chart([Series("Ist <b>", [(date(2021, 1, 1), 0), (date(2022, 1, 1), 500)]),
                             Series("Plan", [(date(2021, 1, 1), 0), (date(2023, 6, 30), 1000)], dashed=True)],
                            title="Ausgaben & Plan", markers=[(date(2023, 6, 30), "Frist")]))
    assert svg.find(f"{SVG}title").text == "Ausgaben & Plan"
    drawn = [p for p in svg.findall(f".//{SVG}path") if p.get("fill") == "none"]
    assert len(drawn) == 2 and drawn[1].get("stroke-dasharray")
    assert any(t.text == "Ist <b>" for t in svg.iter(f"{SVG}text"))


def test_bar_chart_highlights_and_draws_the_line():
    svg = _parse(bar_chart([("A", 10), ("B", 20)], title="T", highlight={"B"}, line_at=15, line_label="Linie"))
    rects = svg.findall(f".//{SVG}rect")
    assert rects[0].get("fill") != rects[1].get("fill")
    assert svg.findall(f".//{SVG}line")


def test_empty_data_gives_a_text_not_a_broken_svg():
    assert "keine Daten" in str(line_chart([], title="Leer"))
    assert "keine Daten" in str(bar_chart([], title="Leer"))


@given(st.integers(min_value=1, max_value=10**14))
def test_value_axis_has_round_ticks_and_ends_just_above_the_data(value):
    """Issue #21.7: ticks like 0,5 / 1 / 1,5 Mio. €, the axis ending at the first tick at or above the maximum
    (it ran to twice the data maximum with ticks at 1,2 / 2,5 / 3,8 Mio. €)."""
    from app.platform.web.charts import nice_scale

    step, top = nice_scale(value)
    assert top >= value > top - step and top % step == 0 and top // step <= 5
    digits = str(step).rstrip("0")
    assert digits in ("1", "2", "25", "5")


def test_axis_labels_of_the_spend_chart():
    from app.budgets.spend_chart import short_eur
    from app.platform.web.charts import nice_scale

    assert nice_scale(230_000_000) == (50_000_000, 250_000_000)  # 2,3 Mio. € → ticks every 0,5 Mio. to 2,5 Mio.
    assert [short_eur(v) for v in (50_000_000, 125_000_000, 300_000_000)] == ["500 Tsd. €", "1,25 Mio. €", "3 Mio. €"]
