from datetime import UTC, date, datetime

from app.platform import clock


def test_fake_today_config_sets_the_day(app):
    app.config["FAKE_TODAY"] = "2022-06-15"
    assert clock.today() == date(2022, 6, 15)


def test_freeze_wins_over_fake_today_and_restores(app):
    app.config["FAKE_TODAY"] = "2022-06-15"
    moment = datetime(2023, 6, 30, 21, 59, 59, tzinfo=UTC)  # 23:59:59 in Berlin (summer time)
    with clock.freeze(moment):
        assert clock.now() == moment
        assert clock.today() == date(2023, 6, 30)
    assert clock.today() == date(2022, 6, 15)


def test_end_of_day_is_berlin_midnight_minus_one_second():
    assert clock.end_of_day(date(2023, 6, 30)) == datetime(2023, 6, 30, 21, 59, 59, tzinfo=UTC)
    assert clock.end_of_day(date(2022, 12, 31)) == datetime(2022, 12, 31, 22, 59, 59, tzinfo=UTC)
