# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The EDA source (extensions/eda/plugins/event_source/replication_events.py): its main(queue,
args) against the simulator, every event kind, nothing said twice, and a restart.

The source runs as a task of the test's event loop with a heartbeat after every poll. The test
changes the clusters right after a heartbeat, with the loop blocked by its own calls, so no poll
runs half-way through a change: each poll sees one step, and the events of a step are exactly
those between two heartbeats.
"""

from __future__ import annotations

import asyncio
import importlib.util

from helpers import REPO, pair_clusters_raw, pair_volumes_raw, volume_named

SOURCE = REPO / "extensions" / "eda" / "plugins" / "event_source" / "replication_events.py"
HOUR = 3600
TOPOLOGY = [{"source": "prod", "target": "dr", "mode": "Async", "volumes": [
    {"volume": "vol-0001", "rpo": "5m"}, {"volume": "vol-0002"}, {"volume": "vol-0003", "paused": True},
    {"volume": "vol-0004", "mode": "SnapshotsOnly", "rpo": "1d"}]}]


def load_source():
    spec = importlib.util.spec_from_file_location("replication_events", SOURCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def connection(cluster):
    return {"hostname": cluster.host, "port": cluster.port, "username": cluster.username,
            "password": cluster.password, "ca_path": cluster.ca_cert}


class Running:
    """main(queue, args) as a task; steps() gives the events of each poll."""

    def __init__(self, args):
        self.queue = asyncio.Queue()
        self.task = asyncio.get_running_loop().create_task(load_source().main(self.queue, args))
        self.seen = []

    async def poll(self, timeout=60):
        """The events of the next poll (up to its heartbeat)."""
        events = []
        while True:
            event = await asyncio.wait_for(self.queue.get(), timeout)
            if event["kind"] == "heartbeat":
                self.seen += events
                return events
            events.append(event)

    async def stop(self):
        self.task.cancel()
        try:
            await self.task
        except asyncio.CancelledError:
            pass


def brief(events):
    """(kind, subject, states or codes) of each event, in order."""
    found = []
    for event in events:
        if "volume_pair_uuid" in event:
            found.append((event["kind"], event["source_volume_name"], event["source_state"], event["target_state"],
                          tuple(event["codes"])))
        elif "peer_cluster" in event:
            found.append((event["kind"], event["cluster"], event["peer_cluster"], tuple(event["codes"])))
        else:
            found.append((event["kind"], event["cluster"]))
    return found


def setup_pairs(prod, dr):
    pair_clusters_raw(prod, dr)
    for name in ("vol-0001", "vol-0002", "vol-0003"):
        pair_volumes_raw(prod, dr, volume_named(prod, name)["volumeID"], volume_named(dr, name)["volumeID"])
    snap_source, snap_target = volume_named(prod, "vol-0004")["volumeID"], volume_named(dr, "vol-0004")["volumeID"]
    pair_volumes_raw(prod, dr, snap_source, snap_target, mode="SnapshotsOnly")
    schedule = prod.call("CreateSchedule", scheduleName="hourly", scheduleType="Snapshot", hours=1, minutes=0,
                         attributes={"frequency": "Time Interval"},
                         scheduleInfo={"volumeID": snap_source, "name": "hourly", "enableRemoteReplication": True,
                                       "retention": "24:00:00"})["scheduleID"]
    prod.advance_clock(HOUR + 600)  # the first replicated snapshot has arrived
    # vol-0002 is paused by hand before the source starts; vol-0003 is paused as declared.
    prod.call("ModifyVolumePair", volumeID=volume_named(prod, "vol-0002")["volumeID"], pausedManual=True)
    prod.call("ModifyVolumePair", volumeID=volume_named(prod, "vol-0003")["volumeID"], pausedManual=True)
    return schedule


def test_every_event_kind_once_and_a_restart_says_what_is_still_wrong(sim):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    schedule = setup_pairs(prod, dr)
    vol1 = volume_named(prod, "vol-0001")["volumeID"]
    vol2 = volume_named(prod, "vol-0002")["volumeID"]
    args = {"clusters": {"prod": connection(prod), "dr": connection(dr)}, "topology": TOPOLOGY, "interval": 0.2,
            "heartbeat": 0.001, "max_backoff": 0.2}
    paused = ("PausedManual", "PausedManualRemote")

    async def scenario():
        source = Running(args)
        # Start-up: what is not in its declared state (vol-0002 paused by hand); vol-0003's pause is declared.
        assert brief(await source.poll()) == [("pair_state_changed", "vol-0002") + paused + (("paused_by_hand",),)]
        assert source.seen[0]["startup"] is True and source.seen[0]["previous"] is None
        assert await source.poll() == [], "a quiet poll says nothing"

        prod.call("ModifyVolumePair", volumeID=vol1, pausedManual=True)
        (event,) = await source.poll()
        assert brief([event]) == [("pair_state_changed", "vol-0001") + paused + (("paused_by_hand",),)]
        assert event["previous"]["source_state"] == "Active" and event["in_declared_state"] is False
        assert (event["source_cluster"], event["target_cluster"], event["mode"]) == ("prod", "dr", "Async")
        assert event["target_volume_id"] == volume_named(dr, "vol-0001")["volumeID"]
        assert (event["source_access"], event["target_access"]) == ("readWrite", "replicationTarget")
        assert event["volume_pair_uuid"] == volume_named(prod, "vol-0001")["volumePairs"][0]["volumePairUUID"]
        assert event["cluster_pair_uuid"] == prod.cluster_pairs()[0]["clusterPairUUID"]
        assert event["rpo_seconds"] == 300 and event["declared"]["paused"] is False
        prod.call("ModifyVolumePair", volumeID=vol1, pausedManual=False)
        prod.call("ModifyVolumePair", volumeID=vol2, pausedManual=False)
        assert brief(await source.poll()) == [("pair_state_changed", name, "Active", "Active", ())
                                              for name in ("vol-0001", "vol-0002")]

        prod.set_link("dr", False)
        disconnected = [("PausedDisconnected", "PausedDisconnected", ("disconnected",))]
        assert brief(await source.poll()) == [
            ("cluster_pair_disconnected", "prod", "dr", ("cluster_pair_not_connected",))] + [
            ("pair_state_changed", name) + disconnected[0] for name in ("vol-0001", "vol-0002", "vol-0003", "vol-0004")]
        assert await source.poll() == []
        prod.set_link("dr", True)
        assert brief(await source.poll()) == [
            ("cluster_pair_reconnected", "prod", "dr", ()),
            ("pair_state_changed", "vol-0001", "Active", "Active", ()),
            ("pair_state_changed", "vol-0002", "Active", "Active", ()),
            ("pair_state_changed", "vol-0003") + paused + ((),),
            ("pair_state_changed", "vol-0004", "Active", "Active", ())]

        prod.set_lag(vol1, 600)  # 10 minutes behind, over the 5 minutes the topology declares
        (breach,) = await source.poll()
        assert brief([breach]) == [("rpo_breached", "vol-0001", "Active", "Active", ("rpo_breached",))]
        assert breach["lag_seconds"] > 300 and breach["within_rpo"] is False
        assert await source.poll() == []
        prod.advance_clock(60)  # an Active pair's backlog drains at 10 s/s
        assert brief(await source.poll()) == [("rpo_recovered", "vol-0001", "Active", "Active", ())]

        prod.fail_schedule_runs(schedule, count=1)
        prod.advance_clock(HOUR)
        failed = await source.poll()
        assert brief(failed) == [("schedule_failed", "vol-0004", "Active", "Active", ("schedule_failed",))]
        prod.advance_clock(HOUR)
        assert brief(await source.poll()) == [("schedule_recovered", "vol-0004", "Active", "Active", ())]

        dr.set_offline()
        (lost,) = await source.poll()
        assert brief([lost]) == [("cluster_unreachable", "dr")] and "dr" in lost["error"]
        dr.set_online()
        assert brief(await source.poll(timeout=30)) == [("cluster_reachable", "dr")]

        prod.call("RemoveVolumePair", volumeID=vol2)
        dr.call("RemoveVolumePair", volumeID=volume_named(dr, "vol-0002")["volumeID"])
        assert brief(await source.poll()) == [("pair_disappeared", "vol-0002", "Active", "Active", ())]
        pair_volumes_raw(prod, dr, vol2, volume_named(dr, "vol-0002")["volumeID"])
        assert brief(await source.poll()) == [("pair_appeared", "vol-0002", "Active", "Active", ())]

        # Half-paired: only dr lists vol-0001's pair.
        prod.call("RemoveVolumePair", volumeID=vol1)
        (half,) = await source.poll()
        assert (half["kind"], half["health"], half["codes"]) == ("pair_state_changed", "one-sided",
                                                                  ["volume_pair_one_sided"])
        for _poll in range(3):
            assert await source.poll() == []
        await source.stop()
        first_run = source.seen

        # A restart says again what is still not in its declared state, once.
        again = Running(args)
        restart = await again.poll()
        assert [(e["kind"], e["health"], e["startup"]) for e in restart] == [("pair_state_changed", "one-sided", True)]
        assert await again.poll() == []
        await again.stop()
        return first_run

    events = asyncio.run(asyncio.wait_for(scenario(), 240))
    kinds = {event["kind"] for event in events}
    assert kinds == {"pair_state_changed", "cluster_pair_disconnected", "cluster_pair_reconnected", "rpo_breached",
                     "rpo_recovered", "schedule_failed", "schedule_recovered", "cluster_unreachable",
                     "cluster_reachable", "pair_disappeared", "pair_appeared"}
    for event in events:
        assert event["time"].endswith("Z") and event["summary"]
    text = repr(events)
    for cluster in (prod, dr):
        assert cluster.password not in text, "no secret in any event"


def test_one_poll_reads_each_cluster_a_fixed_number_of_times(sim):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    setup_pairs(prod, dr)
    source = load_source()
    watcher = source.Watcher(source.parse_args({"clusters": {"prod": connection(prod), "dr": connection(dr)},
                                                "topology": TOPOLOGY}))
    for cluster in (prod, dr):
        cluster.clear_calls()
    watcher.poll()
    watcher.close()
    expected = ["GetClusterInfo", "ListClusterPairs", "ListSchedules", "ListSnapshots", "ListVolumeStats", "ListVolumes"]
    for cluster in (prod, dr):
        assert sorted(c["method"] for c in cluster.calls()) == expected, "4 reads, 6 with a SnapshotsOnly pair"
        assert not [c for c in cluster.calls() if c["mutating"]], "the source only reads"
