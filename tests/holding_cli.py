"""Runs `tazsearch` with its update held at the first file, for signal tests.

The test starts this as a process, waits for "holding" on stderr, sends a
signal, and sees what the command does: the run is certainly in progress,
past start-up, when the signal lands.
"""

import sys
import time

import tazsearch.cli
import tazsearch.updating

real_index_file = tazsearch.updating._Run.index_file


def held_index_file(self: object, *args: object) -> None:
    real_index_file(self, *args)  # type: ignore[arg-type]
    sys.stderr.write("holding\n")
    sys.stderr.flush()
    while True:
        time.sleep(0.05)


tazsearch.updating._Run.index_file = held_index_file  # type: ignore[method-assign]
sys.argv[0] = "tazsearch"
tazsearch.cli.main()
