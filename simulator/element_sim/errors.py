"""The one table of Element error names the simulator can answer with.

Every API error the simulator raises goes through ElementError and must name an entry of
ERRORS (a test enforces that every name used in the code is listed here). Names marked
"invented" in the README have no public evidence; keep them here so they are easy to change.
"""

# name -> default message. Messages are the simulator's own wording unless the README says
# the text was seen on a real cluster.
ERRORS = {
    # transport and envelope
    "xInvalidJSON": "The request body is not a valid JSON-RPC request object.",
    "xUnknownAPIMethod": "Unknown API method.",
    "xMissingParameter": "Missing member.",
    "xInvalidParameter": "Invalid parameter.",
    "xInvalidParameterType": "Invalid parameter type.",
    "xUnrecognizedEnumString": "Unrecognized enum string.",
    "xPermissionDenied": "xPermissionDenied",
    "xAssertionFailure": "Internal error in the simulator.",
    # accounts and volumes
    "xUnknownAccount": "xUnknownAccount",
    "xAccountIDDoesNotExist": "AccountID does not exist.",
    "xDuplicateUsername": "Username already exists.",
    "xVolumeIDDoesNotExist": "VolumeID does not exist.",
    "xVolumeShrinkProhibited": "Lowering a volume size is not allowed.",
    "xSnapshotIDDoesNotExist": "SnapshotID does not exist.",
    "xMaxSnapshotsPerVolumeExceeded": "Maximum number of snapshots per volume exceeded.",
    "xSnapshotReplicationInProgress": "A snapshot of this volume is still being replicated.",
    "xExceededLimit": "Exceeded a cluster limit.",
    # clones and asynchronous jobs
    "xAsyncHandleDoesNotExist": "Async handle does not exist.",
    "xMaxClonesPerVolumeExceeded": "Maximum number of simultaneous clones per volume exceeded.",
    "xMaxClonesPerNodeExceeded": "Maximum number of simultaneous clones per node exceeded.",
    "xNotReadyForIO": "The volume is not ready yet.",
    "xCloneFailed": "Clone failed.",
    # volume access groups and initiators
    "xVolumeAccessGroupIDDoesNotExist": "VolumeAccessGroupID does not exist.",
    "xInitiatorDoesNotExist": "InitiatorID does not exist.",
    "xAlreadyInVolumeAccessGroup": "Already in the volume access group.",
    "xNotInVolumeAccessGroup": "Not in the volume access group.",
    # schedules and group snapshots
    "xScheduleDoesNotExist": "ScheduleID does not exist.",
    "xDuplicateScheduleName": "A schedule with this name already exists.",
    "xInvalidScheduleFrequency": "The schedule frequency is not valid.",
    "xScheduleRunFailed": "The scheduled snapshot could not be made.",
    "xGroupSnapshotIDDoesNotExist": "GroupSnapshotID does not exist.",
    # replication
    "xInvalidPairingKey": "The pairing key is not valid.",
    "xPairingAlreadyExists": "The clusters are already paired.",
    "xPairingDoesNotExist": "The cluster pair does not exist.",
    "xClusterPairHasVolumePairs": "Volume pairs still use this cluster pair; remove them first.",
    "xMVIPNotPaired": "The MVIP in the pairing key is not a connected paired cluster.",
    "xVolumeAlreadyPaired": "The volume is already paired.",
    "xVolumeNotPaired": "Volume not paired.",
    "xRpcTimeout": "Could not reach the remote cluster.",
}


class ElementError(Exception):
    """An Element API error: answered as HTTP 200 {"error": {"code": 500, ...}}."""

    code = 500

    def __init__(self, name, message=None):
        if name not in ERRORS:
            raise KeyError(f"error name {name!r} is not in element_sim.errors.ERRORS")
        super().__init__(name)
        self.name = name
        self.message = message if message is not None else ERRORS[name]

    def to_json(self):
        return {"code": self.code, "name": self.name, "message": self.message}

    def __str__(self):
        return f"{self.name}: {self.message}"


class InjectedError(ElementError):
    """An error requested through /sim/faults: any name is allowed, listed or not."""

    def __init__(self, name, message=None):
        Exception.__init__(self, name)
        self.name = name
        self.message = message if message is not None else ERRORS.get(name, name)
