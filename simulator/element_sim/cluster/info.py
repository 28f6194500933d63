"""GetAPI, GetClusterInfo, GetLimits and the other read-only cluster facts."""

from ..rpc import (CURRENT_VERSION, ELEMENT_VERSION, SUPPORTED_VERSIONS, method,
                   public_methods)
from .. import clock
from .jobs import clone_sync_jobs
from .model import DEFAULT_QOS, LIMITS
from .render import BURST_TIME, QOS_CURVE
from .state import iso_now

BLOCK_SIZE = 4096
# The fixed size of the simulated cluster: the docs' GetClusterCapacity example. Its
# maxOverProvisionableSpace is maxProvisionedSpace * maxMetadataOverProvisionFactor (5).
CLUSTER_SIZE = {
    "maxIOPS": 150000,
    "maxOverProvisionableSpace": 5 * 51837953425408,
    "maxProvisionedSpace": 51837953425408,
    "maxUsedMetadataSpace": 404984011161,
    "maxUsedSpace": 12002762096640,
}



@method("GetAPI", since=1.0)
def get_api(cluster, p, call):
    return {call.version: public_methods(call.version), "currentVersion": CURRENT_VERSION,
            "supportedVersions": list(SUPPORTED_VERSIONS)}


@method("GetClusterInfo", since=1.0)
def get_cluster_info(cluster, p, call):
    host = cluster.host  # one simulated node holds both virtual IPs
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


@method("GetClusterCapacity", since=1.0)
def get_cluster_capacity(cluster, p, call):
    # No data is modelled: every volume not deleted is provisioned and reads as zero blocks,
    # and there is no I/O and no iSCSI session.
    provisioned = sum(v["totalSize"] for v in cluster.volumes.values()
                      if v["status"] != "deleted")
    return {"clusterCapacity": dict(
        CLUSTER_SIZE, activeBlockSpace=0, activeSessions=0, averageIOPS=0,
        clusterRecentIOSize=0, currentIOPS=0, nonZeroBlocks=0, peakActiveSessions=0,
        peakIOPS=0, provisionedSpace=provisioned, snapshotNonZeroBlocks=0,
        timestamp=iso_now(), totalOps=0, uniqueBlocks=0, uniqueBlocksUsedSpace=0,
        usedMetadataSpace=0, usedMetadataSpaceInSnapshots=0, usedSpace=0,
        zeroBlocks=provisioned // BLOCK_SIZE)}


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
