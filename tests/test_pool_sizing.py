"""Little's law pool sizing for `sessionwise new`."""

import pytest

from sessionwise.pool_sizing import advise


def test_the_worked_example_needs_twenty_connections() -> None:
    advice = advise(100, 200)

    assert advice.needed == 20
    assert advice.pool_size == 20
    assert any("more than pool_size + max_overflow = 15" in w for w in advice.warnings)


def test_a_load_the_defaults_carry_has_no_warning() -> None:
    advice = advise(20, 100)

    assert advice.needed == 2
    assert (advice.pool_size, advice.max_overflow) == (5, 10)
    assert advice.warnings == []


def test_workers_split_the_load_but_multiply_the_connections() -> None:
    advice = advise(400, 250, workers=4, database="postgresql")

    assert advice.needed == 25
    assert any("max_connections = 100" in w for w in advice.warnings)


@pytest.mark.parametrize(("rate", "hold", "workers"), [(0, 200, 1), (10, -1, 1), (10, 200, 0)])
def test_impossible_load_is_refused(rate: float, hold: float, workers: int) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        advise(rate, hold, workers=workers)
