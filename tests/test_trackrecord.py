"""The track-record arithmetic: certainty -> implied probability, outcomes, Brier score, skill
and calibration, on hand-made forecasts and as properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rumormill import trackrecord
from rumormill.errors import Errors, InputError
from rumormill.trackrecord import (
    LABELS,
    OUTCOMES,
    Forecast,
    brier,
    implied_probability,
    label_of_probability,
    label_of_score,
    outcome_value,
    track_record,
)

SCORES = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False)
# Scores on a 1e-6 grid: far enough from a label boundary that rounding cannot cross it.
GRID = st.integers(min_value=-3_000_000, max_value=3_000_000).map(lambda k: k / 1_000_000)
PROBABILITIES = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
FORECASTS = st.lists(st.builds(Forecast, PROBABILITIES, st.sampled_from(OUTCOMES)), max_size=30)


# --- the mapping -------------------------------------------------------------------------------


def test_the_mapping_at_its_knots_and_boundaries() -> None:
    assert implied_probability(3.0) == 0.95
    assert implied_probability(2.75) == 0.95
    assert implied_probability(1.75) == 0.75
    assert implied_probability(0.0) == 0.5
    assert implied_probability(-1.75) == 0.25
    assert implied_probability(-3.0) == 0.05
    # Between knots, linear; outside the scale, clamped.
    assert implied_probability(2.5) == pytest.approx(0.9)
    assert implied_probability(-2.5) == pytest.approx(0.1)
    assert implied_probability(1.0) == pytest.approx(0.5 + 0.25 / 1.75)
    assert implied_probability(10.0) == 0.95
    assert implied_probability(-10.0) == 0.05


@given(SCORES, SCORES)
def test_the_mapping_is_monotone_bounded_and_symmetric(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert implied_probability(low) <= implied_probability(high)
    assert 0.05 <= implied_probability(a) <= 0.95
    assert implied_probability(-a) == pytest.approx(1.0 - implied_probability(a))


@given(SCORES)
def test_the_labels_are_those_of_the_certainty_scorer(score: float) -> None:
    from rumormill.nlp import certainty

    assert label_of_score(score) == certainty.label(score)


@pytest.mark.parametrize("score", [3.0, 2.5, 1.0, 0.0, -1.0, -2.5, -3.0, 2.49, 0.99, -0.99, -2.49])
def test_a_probability_falls_in_the_band_of_its_score_s_label(score: float) -> None:
    assert label_of_probability(implied_probability(score)) == label_of_score(score)


@given(GRID)
def test_the_probability_bands_carry_the_score_bands(score: float) -> None:
    assert label_of_probability(implied_probability(score)) == label_of_score(score)


def test_outcome_values_and_an_unknown_outcome() -> None:
    assert [outcome_value(o) for o in OUTCOMES] == [1.0, 0.0, 0.5, None]
    with pytest.raises(InputError) as caught:
        outcome_value("maybe")
    assert caught.value.code is Errors.E120
    assert "'maybe'" in str(caught.value)
    with pytest.raises(InputError):
        Forecast(0.5, "True")
    with pytest.raises(ValueError, match="probability"):
        Forecast(1.5, "true")


# --- records -----------------------------------------------------------------------------------


def test_a_record_by_hand() -> None:
    forecasts = [
        Forecast.from_certainty(3.0, "true"),  # 0.95 vs 1
        Forecast.from_certainty(3.0, "false"),  # 0.95 vs 0
        Forecast.from_certainty(1.75, "partly"),  # 0.75 vs 0.5
        Forecast.from_certainty(-3.0, "unresolved"),  # left out
    ]
    record = track_record(forecasts)
    assert record.counts == {"true": 1, "false": 1, "partly": 1, "unresolved": 1}
    assert (record.total, record.resolved) == (4, 3)
    assert record.brier == pytest.approx((0.05**2 + 0.95**2 + 0.25**2) / 3)
    # The constant 0.5 misses true and false by 0.5 and partly by nothing.
    assert record.reference_brier == pytest.approx((0.25 + 0.25 + 0) / 3)
    assert record.skill == pytest.approx(1 - record.brier / record.reference_brier)
    rows = {row.label: row for row in record.calibration}
    assert list(rows) == list(LABELS)
    assert (rows["asserted"].n, rows["asserted"].implied, rows["asserted"].observed) == (
        2,
        pytest.approx(0.95),
        pytest.approx(0.5),
    )
    assert (rows["probable"].n, rows["probable"].observed) == (1, 0.5)
    assert (rows["denied"].n, rows["denied"].implied, rows["denied"].observed) == (0, None, None)
    data = record.to_dict()
    assert data["counts"] == record.counts
    assert data["calibration"][0] == {
        "label": "asserted",
        "n": 2,
        "implied": pytest.approx(0.95),
        "observed": 0.5,
    }


def test_an_empty_or_unresolved_record_has_no_scores() -> None:
    for forecasts in ([], [Forecast(0.9, "unresolved")]):
        record = track_record(forecasts)
        assert (record.brier, record.reference_brier, record.skill) == (None, None, None)
        assert all(row.n == 0 for row in record.calibration)
    # Every outcome at the base rate: the reference is 0, the skill undefined.
    record = track_record([Forecast(0.7, "partly")])
    assert record.reference_brier == 0.0
    assert record.skill is None
    assert record.brier == pytest.approx(0.04)


def test_skill_against_another_base_rate() -> None:
    forecasts = [Forecast(0.8, "true"), Forecast(0.8, "true"), Forecast(0.8, "false")]
    record = track_record(forecasts, base_rate=2 / 3)
    # The constant 2/3 is the best constant on these outcomes; 0.8 is a little worse.
    assert record.reference_brier == pytest.approx(2 / 9)
    assert record.brier == pytest.approx((0.04 + 0.04 + 0.64) / 3)
    assert record.skill is not None
    assert record.skill < 0
    with pytest.raises(ValueError, match="base rate"):
        track_record(forecasts, base_rate=-0.1)


@given(FORECASTS)
def test_brier_is_in_0_1_and_the_counts_add_up(forecasts: list[Forecast]) -> None:
    record = track_record(forecasts)
    assert record.total == len(forecasts)
    assert record.resolved == sum(1 for f in forecasts if f.outcome != "unresolved")
    assert sum(row.n for row in record.calibration) == record.resolved
    if record.resolved:
        assert record.brier is not None
        assert 0.0 <= record.brier <= 1.0
        assert record.reference_brier is not None
        assert 0.0 <= record.reference_brier <= 0.25
    for row in record.calibration:
        if row.n:
            assert row.implied is not None
            assert row.observed is not None
            assert 0.0 <= row.observed <= 1.0
            assert 0.0 <= row.implied <= 1.0


@given(st.lists(st.sampled_from(["true", "false"]), min_size=1, max_size=20))
def test_perfect_forecasts_score_0_and_full_skill(outcomes: list[str]) -> None:
    forecasts = [Forecast(1.0 if o == "true" else 0.0, o) for o in outcomes]
    record = track_record(forecasts)
    assert record.brier == 0.0
    assert record.skill == 1.0
    # The certain-sounding forecasts of the mapping are 0.05 off at most.
    sounded = [Forecast.from_certainty(3.0 if o == "true" else -3.0, o) for o in outcomes]
    assert track_record(sounded).brier == pytest.approx(0.0025)


@given(st.lists(st.sampled_from(["true", "false"]), min_size=1, max_size=20))
def test_uncommitted_forecasts_have_no_skill(outcomes: list[str]) -> None:
    record = track_record(Forecast.from_certainty(0.0, o) for o in outcomes)
    assert record.brier == pytest.approx(0.25)
    assert record.skill == pytest.approx(0.0)
    assert [row.n for row in record.calibration] == [0, 0, len(outcomes), 0, 0]


@given(st.lists(st.tuples(PROBABILITIES, PROBABILITIES), max_size=20))
def test_brier_of_pairs(pairs: list[tuple[float, float]]) -> None:
    found = brier(pairs)
    if not pairs:
        assert found is None
    else:
        assert found is not None
        assert 0.0 <= found <= 1.0
        assert found == pytest.approx(sum((p - o) ** 2 for p, o in pairs) / len(pairs))


def test_the_module_docstring_states_the_mapping() -> None:
    doc = trackrecord.__doc__ or ""
    for _, probability in trackrecord.KNOTS:
        assert f"{probability:.2f}" in doc
