"""netlab: a terminal lab for learning socket programming on the real kernel."""

from netlab.core.link import Link
from netlab.core.scenario import ActorContext, Scenario

__version__ = "0.1.0"
__all__ = ["ActorContext", "Link", "Scenario", "__version__"]
