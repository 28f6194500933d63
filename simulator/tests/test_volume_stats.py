"""Volume statistics and the lag model behind asyncDelay (cluster/stats.py)."""

import re

import pytest

from helpers import error_of, pair_clusters, pair_volumes, wait_for

HOUR = 3600
ISO_DURATION = re.compile(r"^PT(\d+H)?(\d+M)?(\d+(\.\d+)?S)?$")
TYPES = {  # every documented volumeStats member and its JSON type
    "accountID": int, "actualIOPS": int, "asyncDelay": (str, type(None)), "averageIOPSize": int,
    "burstIOPSCredit": int, "clientQueueDepth": int, "desiredMetadataHosts": (dict, type(None)),
    "latencyUSec": int, "metadataHosts": dict, "nonZeroBlocks": int, "normalizedIOPS": int,
    "readBytes": int, "readBytesLastSample": int, "readLatencyUSec": int,
    "readLatencyUSecTotal": int, "readOps": int, "readOpsLastSample": int,
    "samplePeriodMSec": int, "throttle": float, "timestamp": str, "totalLatencyUSec": int,
    "unalignedReads": int, "unalignedWrites": int, "volumeAccessGroups": list, "volumeID": int,
    "volumeSize": int, "volumeUtilization": float, "writeBytes": int, "writeBytesLastSample": int,
    "writeLatencyUSec": int, "writeLatencyUSecTotal": int, "writeOps": int,
    "writeOpsLastSample": int, "zeroBlocks": int,
}


def seconds(delay):
    match = ISO_DURATION.match(delay)
    assert match, delay
    hours, minutes, secs = (match.group(i) for i in (1, 2, 3))
    return (int(hours[:-1]) * 3600 if hours else 0) + (int(minutes[:-1]) * 60 if minutes else 0) \
        + (float(secs[:-1]) if secs else 0.0)


def delay(cluster, volume_id):
    return cluster.call("GetVolumeStats", volumeID=volume_id)["volumeStats"]["asyncDelay"]


@pytest.fixture
def paired(sim):
    a, b = sim.clusters
    pair_clusters(a, b)
    pair_volumes(a, 1, b, 1)
    return a, b


def test_every_member_is_present_with_its_type(sim):
    a, _ = sim.clusters
    stats = a.call("ListVolumeStats")["volumeStats"]
    assert sorted(s["volumeID"] for s in stats) == [1, 2, 3, 4]
    for entry in stats:
        assert set(entry) == set(TYPES)
        for name, typ in TYPES.items():
            assert isinstance(entry[name], typ), (name, entry[name])
    assert a.call("GetVolumeStats", volumeID=2)["volumeStats"]["volumeID"] == 2
    assert [s["volumeID"] for s in a.call("ListVolumeStats", volumeIDs=[3, 1])["volumeStats"]] \
        == [3, 1]


def test_unknown_volume_is_an_error(sim):
    a, _ = sim.clusters
    assert error_of(a, "GetVolumeStats", volumeID=99) == "xVolumeIDDoesNotExist"
    assert error_of(a, "ListVolumeStats", volumeIDs=[1, 99]) == "xVolumeIDDoesNotExist"


def test_unpaired_volumes_report_null_and_active_pairs_a_small_delay(paired):
    a, b = paired
    assert delay(a, 2) is None
    assert 0 < seconds(delay(a, 1)) <= 1
    assert seconds(delay(b, 1)) == 0  # a target in an active state always reports zero


def test_sync_active_reports_zero(sim):
    a, b = sim.clusters
    pair_clusters(a, b)
    pair_volumes(a, 1, b, 1, mode="Sync")
    assert seconds(delay(a, 1)) == 0


def test_a_paused_pair_falls_behind_and_drains_once_resumed(paired):
    a, b = paired
    a.settings(lag_drain_rate=10)
    a.call("ModifyVolumePair", volumeID=1, pausedManual=True)
    a.advance_clock(HOUR)
    assert seconds(delay(a, 1)) == pytest.approx(HOUR, abs=5)
    assert seconds(delay(b, 1)) == pytest.approx(HOUR, abs=5)  # not active: the target too
    a.call("ModifyVolumePair", volumeID=1, pausedManual=False)
    a.advance_clock(HOUR / 20)  # drains 10 s per second: half of it
    assert seconds(delay(a, 1)) == pytest.approx(HOUR / 2, abs=10)
    a.advance_clock(HOUR)
    assert 0 < seconds(delay(a, 1)) <= 1
    assert seconds(delay(b, 1)) == 0


def test_a_pause_on_the_target_side_counts_from_the_pause(paired):
    a, b = paired
    b.call("ModifyVolumePair", volumeID=1, pausedManual=True)
    a.advance_clock(600)
    assert seconds(delay(a, 1)) == pytest.approx(600, abs=5)


def test_a_cut_link_makes_the_pair_fall_behind_from_the_cut(paired):
    a, b = paired
    a.set_link(b.name, up=False)
    a.advance_clock(900)
    assert seconds(delay(a, 1)) == pytest.approx(900, abs=5)
    a.restore_links()
    a.advance_clock(HOUR)
    assert 0 < seconds(delay(a, 1)) <= 1


def test_a_set_backlog_makes_a_breach_that_drains(paired):
    a, _ = paired
    a.settings(lag_drain_rate=2)
    assert a.set_lag(1, 7200) == pytest.approx(7200)
    assert seconds(delay(a, 1)) == pytest.approx(7200, abs=5)
    a.advance_clock(1800)  # Active: 2 s of lag per second
    assert seconds(delay(a, 1)) == pytest.approx(3600, abs=10)


def test_set_lag_refuses_unpaired_volumes_and_bad_bodies(paired):
    a, _ = paired
    response = a.session.post(f"{a.url}/sim/volumes/2/lag", json={"seconds": 5}, timeout=10)
    assert response.status_code == 404
    response = a.session.post(f"{a.url}/sim/volumes/1/lag", json={"seconds": -5}, timeout=10)
    assert response.status_code == 400


def test_lag_survives_a_restart(sim):
    a, b = sim.clusters
    pair_clusters(a, b)
    pair_volumes(a, 1, b, 1)
    a.call("ModifyVolumePair", volumeID=1, pausedManual=True)
    a.advance_clock(HOUR)
    sim.restart()
    a = sim.clusters[0]
    assert seconds(delay(a, 1)) == pytest.approx(HOUR, abs=10)


def test_replicated_snapshots_arrive_after_the_transfer_time(paired):
    a, b = paired
    a.settings(snapshot_transfer_seconds=300)
    snap = a.call("CreateSnapshot", volumeID=1, enableRemoteReplication=True)["snapshot"]
    assert snap["remoteStatuses"][0]["remoteStatus"] == "Syncing"
    assert b.call("ListSnapshots", volumeID=1)["snapshots"] == []
    a.advance_clock(301)
    assert wait_for(lambda: b.call("ListSnapshots", volumeID=1)["snapshots"], timeout=5)


def test_a_volume_that_changes_sides_starts_afresh(paired):
    """After a failover the new source's lag is not the one it had as a paused target."""
    a, b = paired
    a.call("ModifyVolumePair", volumeID=1, pausedManual=True)
    a.advance_clock(HOUR)
    assert seconds(delay(b, 1)) == pytest.approx(HOUR, abs=5)
    a.call("ModifyVolume", volumeID=1, access="replicationTarget")
    b.call("ModifyVolume", volumeID=1, access="readWrite")
    a.call("ModifyVolumePair", volumeID=1, pausedManual=False)
    assert 0 < seconds(delay(b, 1)) <= 1
    assert seconds(delay(a, 1)) == 0
