"""What every worker process of ours does: exit as soon as the process that started it is gone.

Used by the index's pool workers (newsarchive.index_rows) and the crawler's clean workers
(crawler.pipelines.cleanworker). Stdlib only, so a worker importing it loads nothing else.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import threading


def exit_with_parent() -> None:
    """Exit this process when its parent dies, however it died (SIGKILL included): a daemon thread waits
    on the parent's sentinel, a pipe the parent holds open that turns readable when it is gone. The parent
    is the process that started this one, also for a fork-server child (the fork server only forks it).
    A worker left behind would wait for ever: on a task nobody sends, or writing a result nobody reads
    (and keep the fork server and the resource tracker alive with it)."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def wait() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)  # whoever used us is gone; nothing of ours is left to flush

    threading.Thread(target=wait, name="exit-with-parent", daemon=True).start()
