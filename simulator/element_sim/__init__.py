"""element_sim: a simulator of NetApp Element (SolidFire) clusters' JSON-RPC API."""

from .calllog import MUTATING_METHODS

__version__ = "0.1.0"
__all__ = ["MUTATING_METHODS", "__version__"]
