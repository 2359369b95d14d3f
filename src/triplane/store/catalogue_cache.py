"""A validated copy of the packaged catalogue on disk, so the CLI starts without re-parsing it.

Parsing and validating the catalogue is a tenth of the CLI's start-up. The core's loader stays
pure; this keeps its result in the user's cache folder (config.cache_dir()), keyed by the
loader's fingerprint of the data files and code; any change to them, or a cache that can't be
read or written, means a fresh, full load.
"""

from __future__ import annotations

import functools
import os
import pickle
from pathlib import Path

from triplane import config
from triplane.core.catalogue import Catalogue, load_catalogue, loader


@functools.lru_cache(maxsize=1)
def cached_builtin() -> Catalogue:
    """The packaged catalogue, from the disk cache when it holds this version."""
    cache = config.cache_dir() / f"catalogue-{loader.builtin_fingerprint()}.pickle"
    try:
        with cache.open("rb") as f:
            cached = pickle.load(f)
        if isinstance(cached, Catalogue):
            return cached
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    catalogue = load_catalogue()
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            pickle.dump(catalogue, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)  # atomic: another process never reads half a file
    except OSError:
        pass
    return catalogue


def catalogue(user_dir: Path | None = None) -> Catalogue:
    """The packaged catalogue (cached on disk) plus the coach's drill files in `user_dir`."""
    return load_catalogue(user_dir, builtin=cached_builtin())
