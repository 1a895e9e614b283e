"""The cost engine against the hand-worked examples of DOMAIN.md 5.4, and the measures of 9.3."""

import datetime as dt
from decimal import Decimal

from provision import costs, measures

RATE = Decimal("17.20")


def test_precision_teaching_ten_minutes_daily_for_twelve_weeks():
    total = costs.staff_cost(session_minutes=10, sessions_per_week=5, weeks=12, hourly_rate=RATE)
    assert total == Decimal("172.00")
    assert costs.per_pupil_cost(total, 1) == Decimal("172.00")


def test_talk_boost_group_of_four_is_shared():
    total = costs.staff_cost(session_minutes=30, sessions_per_week=3, weeks=10, hourly_rate=RATE)
    assert total == Decimal("258.00")
    assert costs.per_pupil_cost(total, 4) == Decimal("64.50")


def test_elsa_45_minutes_for_8_weeks():
    total = costs.staff_cost(session_minutes=45, sessions_per_week=1, weeks=8, hourly_rate=RATE)
    assert total == Decimal("103.20")


def test_ta_one_to_one_is_3804_above_the_threshold():
    total = costs.staff_cost(session_minutes=60, sessions_per_week=15, weeks=38, hourly_rate=RATE)
    assert total == Decimal("9804.00")
    assert costs.above_threshold(total, Decimal("6000")) == Decimal("3804.00")
    assert costs.above_threshold(Decimal("172.00"), Decimal("6000")) == Decimal("0.00")


def test_exclusive_group_charged_wholly_to_one_pupil():
    assert costs.per_pupil_cost(Decimal("258.00"), 4, exclusive=True) == Decimal("258.00")


def test_sessions_cost_matches_planned_pattern():
    assert costs.sessions_cost(sessions=30, session_minutes=30, hourly_rate=RATE) == Decimal(
        "258.00"
    )
    assert costs.group_cost(
        staff=Decimal("258.00"), resources=Decimal("40"), external=Decimal("2.5")
    ) == Decimal("300.50")


def test_session_dates_skip_weekends_half_term_and_holidays():
    start, end = dt.date(2025, 10, 20), dt.date(2025, 11, 7)  # half-term week of 27 Oct
    dates = costs.session_dates(
        [0, 2],
        start,
        end,
        open_days=[(dt.date(2025, 9, 3), dt.date(2025, 12, 19))],
        closed=[(dt.date(2025, 10, 27), dt.date(2025, 10, 31))],
    )
    assert dates == [
        dt.date(2025, 10, 20),
        dt.date(2025, 10, 22),
        dt.date(2025, 11, 3),
        dt.date(2025, 11, 5),
    ]


def test_financial_years():
    assert costs.financial_year_bounds(2025, september=False) == (
        dt.date(2025, 4, 1),
        dt.date(2026, 3, 31),
    )
    assert costs.financial_year_bounds(2025, september=True)[0] == dt.date(2025, 9, 1)
    assert costs.financial_year_of(dt.date(2026, 2, 1), september=False) == 2025
    assert costs.financial_year_of(dt.date(2026, 5, 1), september=False) == 2026


def test_ratio_gain_domain_example_and_brooks_bands():
    # 7y2m (86 months) -> 8y0m (96 months) in 4 months = 2.5, substantial.
    assert measures.ratio_gain_from_months(96 - 86, 4) == Decimal("2.5")
    ratio = measures.ratio_gain(86, 96, dt.date(2025, 9, 15), dt.date(2026, 1, 15))
    assert ratio == Decimal("2.5")
    assert measures.brooks_band(ratio) == "substantial"
    assert measures.brooks_band(Decimal("1.2")) == "modest"
    assert measures.brooks_band(Decimal("1.4")) == "useful"
    assert measures.brooks_band(Decimal("3.0")) == "remarkable"


def test_sdq_gain_is_positive_when_difficulties_fall():
    assert measures.score_gain("sdq", 20, 14) == Decimal(6)
    assert measures.score_gain("standardised", 78, 86) == Decimal(8)
    assert measures.sdq_band(14) == "slightly raised"


def test_senco_qualification_rule():
    assert measures.senco_deadline(dt.date(2024, 9, 1)) == dt.date(2027, 9, 1)
    assert measures.senco_rule_applies(dt.date(2024, 9, 1), 0)
    assert not measures.senco_rule_applies(dt.date(2008, 9, 1), 0)
    assert not measures.senco_rule_applies(dt.date(2024, 9, 1), 24)


def test_top_up_is_pro_rated_by_the_days_it_was_paid_in_the_year():
    import datetime as dt

    from provision.costs import pro_rata

    april, march = dt.date(2026, 4, 1), dt.date(2027, 3, 31)  # 365 days
    # Paid from 1 January: 90 days of the year (31 + 28 + 31).
    assert pro_rata(Decimal("6000"), dt.date(2027, 1, 1), None, april, march) == Decimal("1479.45")
    # The whole year, and more: the annual amount.
    assert pro_rata(Decimal("6000"), dt.date(2025, 9, 1), None, april, march) == Decimal("6000.00")
    # Ended on 30 September 2026: 183 days (April to September).
    assert pro_rata(
        Decimal("7300"), dt.date(2025, 9, 1), dt.date(2026, 9, 30), april, march
    ) == Decimal("3660.00")
    # Outside the year.
    assert pro_rata(Decimal("6000"), dt.date(2027, 4, 1), None, april, march) == Decimal("0.00")
