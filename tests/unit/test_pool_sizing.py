"""Little's law pool sizing for `sessionwise new`, within the server's max_connections."""

import pytest

from sessionwise.scaffold.pool_sizing import advise, kept_free


def test_the_worked_example_needs_twenty_connections() -> None:
    advice = advise(100, 200)

    assert advice.needed == 20
    assert (advice.pool_size, advice.max_overflow) == (20, 10)
    assert any("more than pool_size + max_overflow = 15" in w for w in advice.warnings)


def test_a_load_the_defaults_carry_has_no_warning() -> None:
    advice = advise(20, 100)

    assert advice.needed == 2
    assert (advice.pool_size, advice.max_overflow) == (5, 10)
    assert advice.warnings == []


def test_workers_split_the_load_and_share_the_servers_connections() -> None:
    advice = advise(400, 250, workers=4, max_connections=100)

    # 25 busy per worker, but 4 workers may open only 90 // 4 = 22 each.
    assert advice.needed == 25
    assert (advice.pool_size, advice.max_overflow) == (22, 0)
    assert advice.budget == 90
    [_, too_many] = advice.warnings
    assert "4 worker(s) x 25 busy connections = 100" in too_many
    assert "the 90 of max_connections = 100" in too_many
    assert "suggesting 22 per worker" in too_many


def test_the_defaults_shrink_to_fit_many_workers() -> None:
    advice = advise(10, 100, workers=8, max_connections=100)

    assert 8 * (advice.pool_size + advice.max_overflow) <= 90
    assert advice.pool_size == 5
    assert advice.warnings == []


@pytest.mark.parametrize("max_connections", [20, 100, 151, 500])
@pytest.mark.parametrize("workers", [1, 2, 3, 8, 13])
@pytest.mark.parametrize(("rate", "hold"), [(5, 10), (100, 200), (300, 200), (2000, 50)])
def test_never_suggests_more_than_the_server_allows(
    rate: float, hold: float, workers: int, max_connections: int
) -> None:
    advice = advise(rate, hold, workers=workers, max_connections=max_connections)

    assert advice.pool_size >= 1
    assert advice.max_overflow >= 0
    assert workers * (advice.pool_size + advice.max_overflow) <= (
        max_connections - kept_free(max_connections)
    )


def test_more_workers_than_connections_is_refused_with_what_to_do() -> None:
    with pytest.raises(ValueError, match="20 workers cannot each have a connection"):
        advise(10, 100, workers=20, max_connections=20)


@pytest.mark.parametrize(("rate", "hold", "workers"), [(0, 200, 1), (10, -1, 1), (10, 200, 0)])
def test_impossible_load_is_refused(rate: float, hold: float, workers: int) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        advise(rate, hold, workers=workers)
