"""Work split over several processes, their progress added up in the parent.

For the long loads that one Python process cannot make fast enough (a rebuild's
documents, the generator's suppliers). Each job runs in a process of its own and
opens its own connections from the URLs its arguments carry. The process is forked
when this one runs no other thread: nothing can then be inherited half-held, and the
job starts at once instead of importing the application again (seconds per process
on a small machine). Inherited database connections are forgotten in the child, never
used nor closed there (api.db.make_engine). With other threads running it is spawned.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import queue
import threading
from collections.abc import Callable, Sequence

POLL_SECONDS = 1.0

log = logging.getLogger(__name__)


class JobFailed(RuntimeError):
    pass


def run(target: Callable[..., int], jobs: Sequence[tuple], progress: Callable[[int], None] | None = None) -> int:
    """`target(*job, report)` for every job at once, each in its own process; the sum of what they return.

    A job calls `report(n)` with how much it has done so far; `progress` is then given the total
    over all jobs. When a job fails, the others are stopped and JobFailed says why."""
    context = multiprocessing.get_context(start_method())
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


def start_method() -> str:
    """fork when it is safe (see the module's docstring), else spawn."""
    alone = threading.active_count() == 1
    return "fork" if alone and "fork" in multiprocessing.get_all_start_methods() else "spawn"


def _check_alive(workers: list, finished: set[int]) -> None:
    for number, worker in enumerate(workers):
        if number not in finished and worker.exitcode is not None:
            raise JobFailed(f"{worker.name} ended with code {worker.exitcode} before it finished")


def _job(target: Callable[..., int], job: tuple, number: int, reports) -> None:
    # What the process started with (modules, the taxonomy) stays alive: collections need not look
    # at it again, and a forked process then leaves the pages it shares with its parent untouched.
    gc.freeze()
    try:
        count = target(*job, lambda n: reports.put((number, n, "progress")))
        reports.put((number, count, "done"))
    except Exception as error:  # the parent raises it, naming the job
        log.exception("job %d failed", number)
        reports.put((number, 0, f"{type(error).__name__}: {error}"))
