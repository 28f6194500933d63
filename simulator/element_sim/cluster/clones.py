"""CloneVolume and the asynchronous results it leaves: GetAsyncResult, ListAsyncResults.

A clone exists at once with status "init" (the docs' CloneVolume example) and the point in
time of its source: the snapshot it was made from, or the source volume as it was when the
call was made. Its job completes clone_seconds later on the simulated clock (see jobs.py);
the clone is then "active". The source volume, its pair and its snapshots are never touched,
so a replicationTarget volume can be cloned while it keeps replicating (DR rehearsals).
"""

from .. import clock
from ..errors import ElementError
from ..rpc import method, opt, req
from .jobs import (CLONE_NODES, RESULT_TYPES, job_failure, new_clone_job,
                   render_async_handle, render_async_result, settle_due_jobs)
from .render import render_volume
from .state import iso_now
from .model import (ACCESS_VALUES, LIMITS, account_or_error, check_attributes, check_volume_name,
                    new_volume_record, rounded_size, snapshot_or_error, volume_or_error)


def _check_clone_limits(cluster, source_id):
    """Element refuses a clone while too many clone jobs run (Cinder retries these errors).
    The per-node limit applies to CLONE_NODES nodes, which makes it a cluster-wide one."""
    if cluster.running_clones_by_source.get(source_id, 0) >= LIMITS["cloneJobsPerVolumeMax"]:
        raise ElementError("xMaxClonesPerVolumeExceeded",
                           f"VolumeID {source_id} already has "
                           f"{LIMITS['cloneJobsPerVolumeMax']} clone jobs running.")
    cluster_max = LIMITS["cloneJobsPerNodeMax"] * CLONE_NODES
    if len(cluster.running_jobs) >= cluster_max:
        raise ElementError("xMaxClonesPerNodeExceeded",
                           f"{cluster_max} clone jobs are running on the cluster's "
                           f"{CLONE_NODES} nodes.")


@method("CloneVolume", since=1.0, volumeID=req(int), name=req(str), newAccountID=opt(int),
        newSize=opt(int), access=opt(str), snapshotID=opt(int), attributes=opt(dict),
        enable512e=opt(bool), enableSnapMirrorReplication=opt(bool))
def clone_volume(cluster, p, call):
    settle_due_jobs(cluster)  # the limits count only jobs still running now
    source = volume_or_error(cluster, p["volumeID"])
    if source["status"] == "init":
        raise ElementError("xNotReadyForIO",
                           f"VolumeID {source['volumeID']} is still being cloned.")
    snap = None
    if "snapshotID" in p:
        snap = snapshot_or_error(cluster, p["snapshotID"])
        if snap["volumeID"] != source["volumeID"]:
            raise ElementError("xSnapshotIDDoesNotExist", "The snapshot is not of this volume.")
    check_volume_name(p["name"])
    account_id = p.get("newAccountID", source["accountID"])
    account_or_error(cluster, account_id)
    if "newSize" in p:
        size = rounded_size(p["newSize"])  # may be smaller than the source (docs)
    else:
        size = snap["totalSize"] if snap is not None else source["totalSize"]
    # Unless given, access, attributes, QoS and 512e come from the volume being cloned (docs).
    access = p.get("access", source["access"])
    if access not in ACCESS_VALUES:
        raise ElementError("xUnrecognizedEnumString", access)
    attributes = p.get("attributes", source["attributes"])
    check_attributes(attributes)
    _check_clone_limits(cluster, source["volumeID"])

    vol = new_volume_record(cluster, p["name"], account_id, size,
                            p.get("enable512e", source["enable512e"]), dict(source["qos"]),
                            dict(attributes), access, source["fifoSize"], source["minFifoSize"])
    vol["enableSnapMirrorReplication"] = p.get("enableSnapMirrorReplication", False)
    vol["status"] = "init"
    clone_id = cluster.allocate_id("clone")
    failure = job_failure(call.job_fault) if call.job_fault is not None else None
    job = new_clone_job(cluster, clone_id, vol["volumeID"], source["volumeID"],
                        snap["snapshotID"] if snap is not None else None, size,
                        cluster.sim.settings["clone_seconds"], failure)
    # What the clone holds (shown by GET /sim/clones): the simulator has no data, so the
    # point in time it was copied from stands for it.
    vol["clone"] = {
        "cloneID": clone_id, "asyncHandle": job["asyncHandle"],
        "sourceVolumeID": source["volumeID"], "sourceVolumeName": source["name"],
        "sourceAccess": source["access"],
        "sourceSnapshotID": snap["snapshotID"] if snap is not None else None,
        "sourceSnapshotUUID": snap["snapshotUUID"] if snap is not None else None,
        "sourceSnapshotName": snap["name"] if snap is not None else None,
        "pointInTime": snap["createTime"] if snap is not None else iso_now(),
    }
    cluster.add_volume(vol)
    cluster.add_async_result(job)
    rendered = render_volume(cluster, vol, {})
    return {"asyncHandle": job["asyncHandle"], "cloneID": clone_id,
            "curve": rendered["qos"]["curve"], "volume": rendered, "volumeID": vol["volumeID"]}


@method("GetAsyncResult", since=1.0, asyncHandle=req(int), keepResult=opt(bool))
def get_async_result(cluster, p, call):
    job = cluster.async_results.get(p["asyncHandle"])
    if job is None:
        raise ElementError("xAsyncHandleDoesNotExist",
                           f"Async handle {p['asyncHandle']} does not exist.")
    answer = render_async_result(job, clock.now())
    # The result is handed out once unless keepResult; a running job has no result yet.
    if job["status"] == "complete" and not p.get("keepResult", False):
        cluster.remove_async_result(job)
    return answer


@method("ListAsyncResults", since=9.0, asyncResultTypes=opt([str]))
def list_async_results(cluster, p, call):
    types = p.get("asyncResultTypes")
    for value in types or ():
        if value not in RESULT_TYPES:
            raise ElementError("xUnrecognizedEnumString", value)
    now = clock.now()
    return {"asyncHandles": [render_async_handle(job, now)
                             for job in cluster.async_results.values()
                             if types is None or job["resultType"] in types]}


def clone_origins(cluster):
    """What every clone on this cluster was made from (GET /sim/clones)."""
    return [dict(vol["clone"], volumeID=vid, name=vol["name"], status=vol["status"])
            for vid, vol in cluster.volumes.items() if vol.get("clone")]
