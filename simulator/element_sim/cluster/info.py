"""GetAPI, GetClusterInfo, GetLimits and the other read-only cluster facts."""

from ..network import split_mvip
from ..rpc import (CURRENT_VERSION, ELEMENT_VERSION, SUPPORTED_VERSIONS, method,
                   public_methods)
from .. import clock
from .jobs import clone_sync_jobs
from .render import BURST_TIME, QOS_CURVE

DEFAULT_QOS = {"minIOPS": 100, "maxIOPS": 15000, "burstIOPS": 15000}

LIMITS = {
    "accountCountMax": 5000, "accountNameLengthMax": 64, "accountNameLengthMin": 1,
    "bulkVolumeJobsPerNodeMax": 8, "bulkVolumeJobsPerVolumeMax": 2,
    "cloneJobsPerNodeMax": 8, "cloneJobsPerVirtualVolumeMax": 8,
    "cloneJobsPerVolumeMax": 2, "clusterAdminAccountMax": 5000, "clusterPairsCountMax": 4,
    "fibreChannelVolumeAccessMax": 16384, "initiatorAliasLengthMax": 224,
    "initiatorCountMax": 10000, "initiatorNameLengthMax": 224,
    "initiatorsPerVolumeAccessGroupCountMax": 128,
    "iscsiSessionsFromFibreChannelNodesMax": 4096, "qosPolicyCountMax": 500,
    "scheduleNameLengthMax": 244, "secretLengthMax": 16, "secretLengthMin": 12,
    "snapshotNameLengthMax": 255, "snapshotsPerVolumeMax": 32,
    "virtualVolumeCountMax": 8192, "virtualVolumesPerAccountCountMax": 10000,
    "volumeAccessGroupCountMax": 1000, "volumeAccessGroupLunMax": 16383,
    "volumeAccessGroupNameLengthMax": 64, "volumeAccessGroupNameLengthMin": 1,
    "volumeAccessGroupsPerInitiatorCountMax": 1, "volumeAccessGroupsPerVolumeCountMax": 4,
    "volumeBurstIOPSMax": 200000, "volumeBurstIOPSMin": 100, "volumeCountMax": 8192,
    "volumeMaxIOPSMax": 200000, "volumeMaxIOPSMin": 100, "volumeMinIOPSMax": 15000,
    "volumeMinIOPSMin": 50, "volumeNameLengthMax": 64, "volumeNameLengthMin": 1,
    "volumeSizeMax": 17592186044416, "volumeSizeMin": 1000000000,
    "volumesPerAccountCountMax": 2000, "volumesPerGroupSnapshotMax": 32,
    "volumesPerVolumeAccessGroupCountMax": 2000,
}


@method("GetAPI", since=1.0)
def get_api(cluster, p, call):
    return {call.version: public_methods(call.version), "currentVersion": CURRENT_VERSION,
            "supportedVersions": list(SUPPORTED_VERSIONS)}


@method("GetClusterInfo", since=1.0)
def get_cluster_info(cluster, p, call):
    host = split_mvip(cluster.mvip)[0]
    return {"clusterInfo": {
        "attributes": {},
        "defaultProtectionScheme": "doubleHelix",
        "enabledProtectionSchemes": ["doubleHelix"],
        "encryptionAtRestState": "disabled",
        "ensemble": [host],
        "mvip": cluster.mvip,
        "mvipInterface": "Bond1G",
        "mvipNodeID": 1,
        "mvipVlanTag": "0",
        "name": cluster.name,
        "repCount": 2,
        "softwareEncryptionAtRestState": "disabled",
        "supportedProtectionSchemes": ["doubleHelix"],
        "svip": host,
        "svipInterface": "Bond10G",
        "svipNodeID": 1,
        "svipVlanTag": "0",
        "uniqueID": cluster.unique_id,
        "uuid": cluster.identity["uuid"],
    }}


@method("GetLimits", since=1.0)
def get_limits(cluster, p, call):
    return dict(LIMITS)


@method("GetClusterVersionInfo", since=1.0)
def get_cluster_version_info(cluster, p, call):
    return {
        "clusterAPIVersion": CURRENT_VERSION,
        "clusterVersion": ELEMENT_VERSION,
        "clusterVersionInfo": [{"nodeID": 1, "nodeInternalRevision": ELEMENT_VERSION,
                                "nodeVersion": ELEMENT_VERSION}],
        "softwareVersionInfo": {"currentVersion": ELEMENT_VERSION, "nodeID": 0,
                                "packageName": "", "pendingVersion": ELEMENT_VERSION,
                                "startTime": ""},
    }


@method("GetDefaultQoS", since=1.0)
def get_default_qos(cluster, p, call):
    return dict(DEFAULT_QOS, burstTime=BURST_TIME, curve=QOS_CURVE)


@method("ListSyncJobs", since=1.0)
def list_sync_jobs(cluster, p, call):
    # Running clone jobs; snapshots are delivered at once, so no remote job is ever running.
    return {"syncJobs": clone_sync_jobs(cluster, clock.now())}
