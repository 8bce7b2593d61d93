"""Running the same thing twice at once, for the tests of what two requests or two jobs do together.

On PostgreSQL the calls truly overlap (row locks, advisory locks and unique indexes decide).  SQLite lets one
writer at a time, so there they run one after the other and the test checks the same outcome."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import Engine


def at_once(engine: Engine, action: Callable[[], object], *, times: int = 2, timeout: float = 60.0) -> list[object]:
    """``action()`` in ``times`` threads released together: what each returned, or the exception it raised,
    in the order they finished.  Fails when a thread is still running after ``timeout`` seconds."""
    serialise = engine.dialect.name == "sqlite"
    start, lock = threading.Barrier(times), threading.Lock()
    results: list[object] = []

    def run() -> None:
        start.wait()
        try:
            if serialise:
                lock.acquire()
            results.append(action())
        except BaseException as exc:  # noqa: BLE001 - the caller's assertions report it
            results.append(exc)
        finally:
            if serialise:
                lock.release()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a call is still waiting"
    return results
