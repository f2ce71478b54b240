"""Running service calls at the same moment from several database connections, for the race
tests that need a real PostgreSQL (row locks)."""

import threading

from django.db import close_old_connections

from core.exceptions import ApplicationError


def at_once(*calls) -> list[object]:
    """Run the calls in threads released together; each result is its return or its refusal
    (an ApplicationError)."""
    start = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = calls[index]()
        except ApplicationError as error:
            results[index] = error
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def refusal_codes(results: list[object]) -> list[str]:
    """The codes of the refusals among `results`, sorted."""
    return sorted(result.code for result in results if isinstance(result, ApplicationError))
