"""Asynchronous jobs (clone jobs): their progress on the simulated clock and the objects that
GetAsyncResult, ListAsyncResults and ListSyncJobs show.

A job runs from its start until start + clone_seconds (the setting at the time of the call) on
the simulated clock. Nothing ticks: jobs that are due are settled by the next request to their
cluster (server.py asks jobs_due() first, which is O(1) while none is due), and the time they
complete is the time they were due, not the time it was noticed. A job marked to fail (the
fail_job fault) fails half-way through instead.
"""

import heapq

from .. import clock
from ..errors import InjectedError
from .state import PURGE_DELAY_SECONDS, iso_at

CLONE_NODES = 4  # the simulated cluster's storage nodes (cloneJobsPerNodeMax applies to each)
RESULT_TYPES = ("DriveAdd", "BulkVolume", "Clone", "DriveRemoval", "RtfiPendingNode")


def new_clone_job(cluster, clone_id, volume_id, source_volume_id, source_snapshot_id,
                  total_bytes, seconds, failure=None):
    now = clock.now()
    ends_at = now + seconds
    return {
        "asyncHandle": cluster.allocate_id("asyncresult"), "resultType": "Clone",
        "status": "running", "createTime": iso_at(now), "lastUpdateTime": iso_at(now),
        "startedAt": now, "endsAt": ends_at,
        "dueAt": now + seconds / 2 if failure else ends_at,
        "failure": failure, "cloneID": clone_id, "volumeID": volume_id,
        "sourceVolumeID": source_volume_id, "sourceSnapshotID": source_snapshot_id,
        "totalBytes": total_bytes, "result": None, "error": None,
    }


def job_failure(fault):
    """The failure a fail_job fault asks for: {name, message}."""
    error = InjectedError(fault.error or "xCloneFailed", fault.message)
    return {"name": error.name, "message": error.message}


def settle_due_jobs(cluster, now=None):
    """Complete (or fail) every job whose time has come. Call with the lock held."""
    now = clock.now() if now is None else now
    heap = cluster.job_heap
    while heap and heap[0][0] <= now:
        due, handle = heapq.heappop(heap)
        job = cluster.async_results.get(handle)
        if job is None or job["status"] != "running" or job["dueAt"] != due:
            continue  # already finished another way (e.g. its clone was deleted)
        if job["failure"]:
            fail_job(cluster, job, job["failure"]["name"], job["failure"]["message"], due)
        else:
            _complete_job(cluster, job, due)


def _complete_job(cluster, job, when):
    job.update(status="complete", lastUpdateTime=iso_at(when), result={
        "cloneID": job["cloneID"], "message": "Clone complete.", "volumeID": job["volumeID"]})
    cluster.job_finished(job)
    vol = cluster.volumes.get(job["volumeID"])
    if vol is not None and vol["status"] == "init":
        vol["status"] = "active"
        cluster.save_volume(vol)


def fail_job(cluster, job, name, message, when):
    """End a running job with an error. A clone that was still being made is left deleted
    (not purged), as a cluster would discard a half-made copy but keep it restorable."""
    job.update(status="complete", lastUpdateTime=iso_at(when), error={
        "cloneID": job["cloneID"], "message": message, "name": name,
        "volumeID": job["volumeID"]})
    cluster.job_finished(job)
    vol = cluster.volumes.get(job["volumeID"])
    if vol is not None and vol["status"] == "init":
        vol.update(status="deleted", deleteTime=iso_at(when),
                   purgeTime=iso_at(when + PURGE_DELAY_SECONDS))
        cluster.save_volume(vol)


def running_job_of(cluster, vol):
    """The running clone job that is making this volume, or None."""
    origin = vol.get("clone")
    job = cluster.async_results.get(origin["asyncHandle"]) if origin else None
    return job if job is not None and job["status"] == "running" else None


def _percent_complete(job, now):
    span = job["endsAt"] - job["startedAt"]
    if span <= 0:
        return 100
    return max(0, min(99, int((now - job["startedAt"]) * 100 / span)))


def render_async_result(job, now):
    """The GetAsyncResult result: a nested response with a status (docs example layout)."""
    answer = {"createTime": job["createTime"], "lastUpdateTime": job["lastUpdateTime"],
              "resultType": job["resultType"], "status": job["status"]}
    if job["status"] == "running":
        answer["details"] = {"cloneID": job["cloneID"],
                             "percentComplete": _percent_complete(job, now),
                             "volumeID": job["volumeID"]}
    elif job["error"] is not None:
        answer["error"] = job["error"]
    else:
        answer["result"] = job["result"]
    return answer


def render_async_handle(job, now):
    """A ListAsyncResults entry (the asyncHandle object)."""
    done = job["status"] == "complete"
    if not done:
        data = render_async_result(job, now)["details"]
    else:
        data = job["error"] if job["error"] is not None else job["result"]
    return {"asyncResultID": job["asyncHandle"], "completed": done,
            "createTime": job["createTime"], "data": data,
            "lastUpdateTime": job["lastUpdateTime"], "resultType": job["resultType"],
            "success": done and job["error"] is None}


def clone_sync_jobs(cluster, now):
    """ListSyncJobs entries (type clone) for the running clone jobs."""
    jobs = []
    for handle in sorted(cluster.running_jobs):
        job = cluster.async_results[handle]
        percent = _percent_complete(job, now)
        elapsed = max(0.0, now - job["startedAt"])
        span = max(job["endsAt"] - job["startedAt"], 1e-9)
        jobs.append({
            "bytesPerSecond": float(job["totalBytes"] / span),
            "cloneID": job["cloneID"],
            "currentBytes": job["totalBytes"] * percent // 100,
            "dstVolumeID": job["volumeID"],
            "elapsedTime": round(elapsed, 3),
            "groupCloneID": 0,
            "nodeID": job["cloneID"] % CLONE_NODES + 1,
            "percentComplete": percent,
            "remainingTime": max(0, int(job["endsAt"] - now)),
            "sliceID": job["sourceVolumeID"],
            "snapshotID": job["sourceSnapshotID"] or 0,
            "srcServiceID": cluster.service_id,
            "srcVolumeID": job["sourceVolumeID"],
            "stage": "data",
            "totalBytes": job["totalBytes"],
            "type": "clone",
        })
    return jobs
