"""Cluster state and Element's rules. Importing the package registers every API method."""

from . import (accessgroups, accounts, clones, clusterpairs, groupsnapshots,  # noqa: F401
               info, schedules, snapshots, stats, volumepairs, volumes)
from .simulator import Request, Simulator

__all__ = ["Request", "Simulator"]
