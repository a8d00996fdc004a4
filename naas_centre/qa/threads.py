"""Running the small dense algebra of the examiner models on one BLAS thread."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Limit the BLAS libraries numpy and scipy loaded to one thread while inside.

    Without threadpoolctl installed the limit is skipped: the figures are the same, only
    slower on a busy machine."""
    try:
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield
