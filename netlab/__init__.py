"""netlab: a terminal lab for learning socket programming on the real kernel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["ActorContext", "Link", "Scenario", "__version__"]

if TYPE_CHECKING:
    from netlab.core.link import Link
    from netlab.core.scenario import ActorContext, Scenario


def __getattr__(name: str) -> Any:
    """``from netlab import Scenario``, loaded when asked for: the command starts light (so
    that Ctrl-C as it starts is caught, see launch)."""
    if name == "Link":
        from netlab.core.link import Link

        return Link
    if name in ("Scenario", "ActorContext"):
        from netlab.core import scenario

        return getattr(scenario, name)
    raise AttributeError(f"module 'netlab' has no attribute {name!r}")
