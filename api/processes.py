"""Work split over several processes, their progress added up in the parent.

For the long loads that one Python process cannot make fast enough (a rebuild's
documents, the generator's suppliers). Each job runs in a process of its own,
started with `spawn`: it inherits no connection, thread or lock, so it opens its
own from the URLs its arguments carry.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
from collections.abc import Callable, Sequence

POLL_SECONDS = 1.0

log = logging.getLogger(__name__)


class JobFailed(RuntimeError):
    pass


def run(target: Callable[..., int], jobs: Sequence[tuple], progress: Callable[[int], None] | None = None) -> int:
    """`target(*job, report)` for every job at once, each in its own process; the sum of what they return.

    A job calls `report(n)` with how much it has done so far; `progress` is then given the total
    over all jobs. When a job fails, the others are stopped and JobFailed says why."""
    context = multiprocessing.get_context("spawn")
    reports = context.Queue()
    workers = [context.Process(target=_job, args=(target, job, number, reports), name=f"job-{number}")
               for number, job in enumerate(jobs)]
    for worker in workers:
        worker.start()
    done = [0] * len(workers)
    finished: set[int] = set()
    try:
        while len(finished) < len(workers):
            try:
                number, count, outcome = reports.get(timeout=POLL_SECONDS)
            except queue.Empty:
                _check_alive(workers, finished)
                continue
            if outcome not in ("progress", "done"):
                raise JobFailed(f"{target.__name__}{jobs[number]}: {outcome}")
            done[number] = count
            if outcome == "done":
                finished.add(number)
            if progress:
                progress(sum(done))
    finally:
        for number, worker in enumerate(workers):
            if number not in finished and worker.is_alive():
                worker.terminate()
            worker.join()
    return sum(done)


def _check_alive(workers: list, finished: set[int]) -> None:
    for number, worker in enumerate(workers):
        if number not in finished and worker.exitcode is not None:
            raise JobFailed(f"{worker.name} ended with code {worker.exitcode} before it finished")


def _job(target: Callable[..., int], job: tuple, number: int, reports) -> None:
    try:
        count = target(*job, lambda n: reports.put((number, n, "progress")))
        reports.put((number, count, "done"))
    except Exception as error:  # the parent raises it, naming the job
        log.exception("job %d failed", number)
        reports.put((number, 0, f"{type(error).__name__}: {error}"))
