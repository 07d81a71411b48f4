"""Array helpers shared by the writer, the query matcher, the analyzer and the
positions format."""

from __future__ import annotations

import numpy as np


def run_starts(sizes: np.ndarray) -> np.ndarray:
    """Where each of consecutive runs of these sizes starts."""
    return np.concatenate([[0], np.cumsum(sizes)[:-1]]) if len(sizes) else sizes


def range_indices(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The numbers ``starts[i]`` to ``starts[i] + sizes[i]`` (exclusive) for each i, end to end."""
    source = np.repeat(starts - run_starts(sizes), sizes)
    return source + np.arange(len(source))


def gather_ranges(data: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """``data[starts[i] : starts[i] + sizes[i]]`` for each i, end to end."""
    return data[range_indices(starts, sizes)]


def cumsum_per_run(values: np.ndarray, run_start: np.ndarray) -> np.ndarray:
    """Running sums of ``values`` that start again at each run (none empty)."""
    total = np.cumsum(values)
    before = np.concatenate([[0], total[run_start[1:] - 1]])
    sizes = np.diff(np.concatenate([run_start, [len(values)]]))
    return total - np.repeat(before, sizes)
