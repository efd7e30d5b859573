"""A batch shared between this process and a pool of worker processes.

A spawned worker takes a second or two to import the package and load the embedder. With the
usual pool, every core waits that long before the first document, and this process then only
collects results. Here this process starts on the batch at once and keeps working alongside the
pool, so `-j 2` on two cores means this process and one worker, both busy from the start.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

AHEAD_PER_WORKER = 2  # tasks queued per worker: it never waits for this process to hand it more


def shared(
    items: Iterable[Item],
    here: Callable[[Item], Result],
    there: Callable[[Item], Future[Result]],
    workers: int,
    failed: Callable[[Item, BaseException], Result],
    ready: Future[Any] | None = None,
) -> Iterator[Result]:
    """`here(item)` or the result of `there(item)` (a pool submission) for every item, as each
    finishes. The pool takes items from the front and this process from the back, so the two
    meet in the middle; `failed(item, exc)` stands in for a pool task that raised (a dead worker),
    and once the pool refuses work (broken) this process does what is left. With `ready` (a
    trivial task submitted first) nothing is handed to the pool before it finishes: a task
    queued at a worker that is still starting would wait there while this process runs dry."""
    queue = deque(items)
    inflight: dict[Future[Result], Item] = {}
    pool_usable = True
    while queue or inflight:
        started = ready is None or ready.done()
        while pool_usable and started and queue and len(inflight) < AHEAD_PER_WORKER * workers:
            try:
                inflight[there(queue[0])] = queue[0]
            except Exception:  # a broken pool takes no more: this process does the rest
                pool_usable = False
                break
            queue.popleft()
        yield from _finished(inflight, failed)
        if queue:
            yield here(queue.pop())
        elif inflight:
            wait(list(inflight), return_when=FIRST_COMPLETED)


def _finished(
    inflight: dict[Future[Result], Item], failed: Callable[[Item, BaseException], Result]
) -> Iterator[Result]:
    for future in [f for f in inflight if f.done()]:
        item = inflight.pop(future)
        try:
            yield future.result()
        except Exception as exc:
            yield failed(item, exc)


def pool_for(
    executor: Executor, task: Callable[..., Result], *args: object
) -> Callable[[Item], Future[Result]]:
    """`there` for `shared`: submit `task(item, *args)` to `executor`."""
    return lambda item: executor.submit(task, item, *args)


def stop(pool: ProcessPoolExecutor) -> None:
    """Shut `pool` down without waiting for a worker that is still starting (seconds of imports
    for a small batch this process finished alone): by now every result is in or unwanted."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):  # private, in 3.8-3.13
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def shared_with_workers(
    items: Iterable[Item],
    here: Callable[[Item], Result],
    task: Callable[..., Result],
    task_args: tuple[object, ...],
    workers: int,
    failed: Callable[[Item, BaseException], Result],
    warm: Callable[..., None],
    warm_args: tuple[object, ...],
) -> Iterator[Result]:
    """`shared` with a pool of `workers - 1` spawn processes, each started by `warm(*warm_args)`
    and running `task(item, *task_args)`: this process is the last of `workers`."""
    import multiprocessing  # only a batch needs it: a one-file review starts without it

    context = multiprocessing.get_context("spawn")  # fork would copy Chroma's threads
    pool = ProcessPoolExecutor(workers - 1, mp_context=context, initializer=warm, initargs=warm_args)
    try:
        ready = pool.submit(os.getpid)  # answered once a worker has started
        yield from shared(items, here, pool_for(pool, task, *task_args), workers - 1, failed, ready)
    finally:
        stop(pool)
