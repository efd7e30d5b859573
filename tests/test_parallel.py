"""The batch shared between this process and a pool: every item once, a failed task stood in for."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from mou_review.parallel import pool_for, shared

Side = tuple[str, int]


def _here(item: int) -> Side:
    return "here", item


def _share(
    items: range,
    there: Callable[[int], Future[Side]],
    here: Callable[[int], Side] = _here,
    ready: Future[object] | None = None,
) -> list[Side]:
    """Every result of sharing `items` with a one-worker pool; a raising task reads ("failed", item)."""
    return list(shared(items, here, there, 1, lambda item, exc: ("failed", item), ready))


def _there(item: int) -> tuple[str, int]:
    if item == 0:
        raise RuntimeError("worker died")
    return "there", item


def test_every_item_is_done_once_by_this_process_or_the_pool() -> None:
    with ThreadPoolExecutor(1) as pool:
        results = _share(range(20), pool_for(pool, _there))
    assert sorted(item for _, item in results) == list(range(20))
    by_item = {item: side for side, item in results}
    assert by_item[0] == "failed", "a task that raised is stood in for, not lost"
    assert by_item[1] == "there", "the pool takes items from the front"
    assert by_item[19] == "here", "this process starts on the back at once"


def test_this_process_works_while_the_pool_is_still_starting() -> None:
    started = threading.Event()

    def slow_start(item: int) -> tuple[str, int]:
        started.wait(10)  # a worker still importing: it returns only once this process has worked
        return "there", item

    def here(item: int) -> tuple[str, int]:
        started.set()
        return "here", item

    with ThreadPoolExecutor(1) as pool:
        results = _share(range(6), pool_for(pool, slow_start), here)
    assert {side for side, _ in results} == {"here", "there"}
    assert sorted(item for _, item in results) == list(range(6))


def test_a_pool_that_refuses_work_leaves_the_rest_to_this_process() -> None:
    pool = ThreadPoolExecutor(1)
    submit = pool_for(pool, _there)
    calls = []

    def there(item: int) -> Future[Side]:
        calls.append(item)
        if len(calls) > 2:
            raise RuntimeError("pool broken")
        return submit(item)

    results = _share(range(10), there)
    pool.shutdown()
    assert sorted(item for _, item in results) == list(range(10)), "no item is lost or done twice"
    assert [side for side, _ in results].count("there") + [s for s, _ in results].count("failed") == 2


def test_nothing_is_handed_to_a_pool_that_has_not_started() -> None:
    not_started: Future[object] = Future()
    with ThreadPoolExecutor(1) as pool:
        results = _share(range(5), pool_for(pool, _there), ready=not_started)
    assert results == [("here", i) for i in reversed(range(5))], "a starting pool gets no task to sit on"
