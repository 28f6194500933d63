"""Cluster state and Element's rules. Importing the package registers every API method."""

from . import accounts, clusterpairs, info, snapshots, volumepairs, volumes  # noqa: F401
from .simulator import Request, Simulator

__all__ = ["Request", "Simulator"]
