"""Which value of a setting that is also an environment variable wins: ``-s NAME=value`` > ``NAME`` in the
environment > the settings module's default (README "Settings and environment").

The settings module reads ``TWIN_DATA_DIR`` and friends from the environment when it is imported, at Scrapy's
``project`` priority, so a ``Settings`` object alone already orders them that way. Code that also consults the
environment directly (the warehouse, which runs outside a crawl too) must not let it beat the command line.
"""

from __future__ import annotations

import os
from typing import Any

from scrapy.settings import SETTINGS_PRIORITIES

_PROJECT = SETTINGS_PRIORITIES["project"]


def setting_or_env(settings: Any, name: str) -> Any:
    """The value of ``name``: set above the project's priority (``-s``, a spider, a command) > the environment
    variable of the same name > the settings module's (or any lower-priority) value > None."""
    getpriority = getattr(settings, "getpriority", None)
    if getpriority is not None and (getpriority(name) or 0) > _PROJECT:
        return settings.get(name)
    from_env = os.environ.get(name)
    if from_env:
        return from_env
    return settings.get(name) if settings is not None else None
