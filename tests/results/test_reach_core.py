"""The pure core of the results report: a person in two modules counts once; totals add up."""

from hypothesis import given
from hypothesis import strategies as st

from app.platform.money import percent
from app.results import reach

AGS = ["05315", "05154", "05711"]
MODULES = ["F1", "F2", "F3", "F4"]


def test_a_person_reported_in_two_modules_is_counted_once():
    # One woman enters F1 and F2 in the same quarter: two entries, one person reached.
    entries = [("05315", 2021, 1, "F1", "female", 1), ("05315", 2021, 1, "F2", "female", 1)]
    reached = [("05315", 2021, 1, "female", 1)]
    report = reach.build(entries, reached, {"05315": 10}, {"05315": "Köln"})
    assert report.total.entries == 2
    assert report.total.reached == 1
    assert report.kommunen[0].reach_rate == percent(1, 10)


def test_a_later_second_module_adds_an_entry_but_no_person():
    entries = [("05315", 2021, 1, "F1", "male", 1), ("05315", 2021, 3, "F2", "male", 1)]
    reached = [("05315", 2021, 1, "male", 1), ("05315", 2021, 3, "male", 0)]
    report = reach.build(entries, reached, {}, {})
    assert [q.entries for q in report.quarters] == [1, 1]
    assert report.total.reached == 1 and report.total.reach_rate is None


entry = st.tuples(st.sampled_from(AGS), st.sampled_from([2020, 2021]), st.integers(1, 4), st.sampled_from(MODULES),
                  st.sampled_from(reach.GENDERS), st.integers(0, 500))
person = st.tuples(st.sampled_from(AGS), st.sampled_from([2020, 2021]), st.integers(1, 4),
                   st.sampled_from(reach.GENDERS), st.integers(0, 500))
targets = st.dictionaries(st.sampled_from(AGS), st.integers(1, 10_000))


@given(st.lists(entry, max_size=40), st.lists(person, max_size=40), targets)
def test_state_totals_are_the_sum_of_the_kommunen(entries, reached, target):
    report = reach.build(entries, reached, target, {})
    assert report.total.reached == sum(k.reached for k in report.kommunen) == sum(p[4] for p in reached)
    assert report.total.entries == sum(k.entries for k in report.kommunen) == sum(e[5] for e in entries)
    for gender in reach.GENDERS:
        assert report.total.reached_by_gender[gender] == sum(k.reached_by_gender[gender] for k in report.kommunen)
    assert sum(q.reached for q in report.quarters) == report.total.reached
    assert (report.total.target or 0) == sum(target.values())
    with_target = sum(k.reached for k in report.kommunen if k.target)
    assert report.total.reach_rate == (percent(with_target, sum(target.values())) if target else None)


@given(st.dictionaries(st.sampled_from(reach.GENDERS), st.integers(0, 50)),
       st.dictionaries(st.sampled_from(reach.GENDERS), st.integers(0, 50)))
def test_new_people_are_bounded_by_the_entries_of_the_quarter(new_people, entered):
    errors = reach.new_people_errors(new_people, entered)
    assert set(errors) == {g for g, n in new_people.items() if n > entered.get(g, 0)}
