"""Jobs in processes of their own: forked when nothing else runs, their counts added up."""

from __future__ import annotations

import threading

import pytest

from api import processes


def _pid_count(count: int, report) -> int:
    report(count)
    return count


def _fails(report) -> int:
    raise ValueError("no such slice")


def test_a_process_alone_forks_and_one_running_threads_spawns():
    assert processes.start_method() == "fork"
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert processes.start_method() == "spawn"
    finally:
        stop.set()
        thread.join()


def test_what_the_jobs_did_adds_up_and_progress_follows():
    seen: list[int] = []
    assert processes.run(_pid_count, [(2,), (3,), (4,)], seen.append) == 9
    assert seen[-1] == 9 and seen == sorted(seen)


def test_a_failing_job_names_itself_and_its_error():
    with pytest.raises(processes.JobFailed, match="ValueError: no such slice"):
        processes.run(_fails, [()])
