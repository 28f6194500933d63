"""Clusters in two simulator processes reach each other over HTTPS only; stopping one
process is a real site outage for the other."""

from element_sim.harness import SimulatorProcess
from helpers import pair_clusters, pair_status, pair_volumes, start_on_fixed_ports, state


def test_pairs_across_processes_and_a_stopped_process(tmp_path):
    east = SimulatorProcess(tmp_path / "east", names=["east"], volumes=2).start()
    # Sharing east's CA lets each process verify the other's certificate. West keeps its
    # port across the restart below, so east finds it again at its last known MVIP.
    west = start_on_fixed_ports(lambda base: SimulatorProcess(
        tmp_path / "west", names=["west"], volumes=2, base_port=base,
        extra_args=["--ca-dir", east.state_dir]).start(), 1)
    try:
        e, w = east.clusters[0], west.clusters[0]
        e_pair, w_pair = pair_clusters(e, w)
        pair_volumes(e, 1, w, 1)
        assert pair_status(e, e_pair) == pair_status(w, w_pair) == "Connected"
        assert state(e, 1) == state(w, 1) == "Active"
        snap = e.call("CreateSnapshot", volumeID=1, enableRemoteReplication=True)["snapshot"]
        assert snap["remoteStatuses"][0]["remoteStatus"] == "Present"
        copies = w.call("ListSnapshots", volumeID=1)["snapshots"]
        assert [s["snapshotUUID"] for s in copies] == [snap["snapshotUUID"]]

        west.stop()
        assert pair_status(e, e_pair) == "Disconnected"
        assert state(e, 1) == "PausedDisconnected"
        e.call("ModifyVolumePair", volumeID=1, mode="Sync")  # only the local half changes

        west.start()
        w = west.clusters[0]
        assert pair_status(e, e_pair) == "Connected"
        assert state(e, 1) == state(w, 1) == "Active"
        modes = [c.call("ListVolumes", volumeIDs=[1])["volumes"][0]["volumePairs"][0]
                 ["remoteReplication"]["mode"] for c in (e, w)]
        assert modes == ["Sync", "Async"]
    finally:
        west.stop()
        east.stop()
