"""Cluster state and Element's rules. Importing the package registers every API method."""

from . import (accessgroups, accounts, clones, clusterpairs, info, snapshots,  # noqa: F401
               stats, volumepairs, volumes)
from .simulator import Request, Simulator

__all__ = ["Request", "Simulator"]
