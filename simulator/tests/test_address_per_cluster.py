"""`serve --address-per-cluster`: each cluster on its own loopback address, all on one port,
with bare-IP MVIPs and SVIPs as real clusters report them (they serve the API on 443)."""

import ipaddress
import os

import pytest

from element_sim.harness import SimulatorProcess
from helpers import (decode_key, pair_clusters, pair_status, pair_volumes, start_on_fixed_ports,
                     state, wait_for)


@pytest.fixture(scope="module")
def spread(tmp_path_factory):
    sim = SimulatorProcess(tmp_path_factory.mktemp("spread"), clusters=3, volumes=2,
                           address_per_cluster=True).start()
    yield sim
    sim.stop()


def test_each_cluster_has_its_own_address_on_one_shared_port(spread):
    assert [c.host for c in spread.clusters] == ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
    assert len({c.port for c in spread.clusters}) == 1
    for cluster in spread.clusters:
        assert cluster.mvip == cluster.host
        assert cluster.url == f"https://{cluster.host}:{cluster.port}"
        info = cluster.call("GetClusterInfo")["clusterInfo"]
        assert info["mvip"] == info["svip"] == cluster.host
        assert info["ensemble"] == [cluster.host]
        ipaddress.ip_address(info["mvip"])  # a bare address: no port


def test_inventory_names_the_address_and_the_shared_port(spread):
    with open(spread.inventory_file, encoding="utf-8") as f:
        inventory = f.read()
    for cluster in spread.clusters:
        assert f'element_hostname: "{cluster.host}"' in inventory
    assert inventory.count(f"element_port: {spread.clusters[0].port}\n") == 3


def test_cluster_and_volume_pairing_use_bare_mvips(spread):
    a, b = spread.clusters[:2]
    key = a.call("StartClusterPairing")["clusterPairingKey"]
    assert decode_key(key)["mvip"] == a.host
    b.call("CompleteClusterPairing", clusterPairingKey=key)
    a_pair = a.cluster_pairs()[0]["clusterPairID"]
    assert wait_for(lambda: pair_status(a, a_pair) == "Connected")
    assert [p["mvip"] for p in a.cluster_pairs()] == [b.host]
    assert [p["mvip"] for p in b.cluster_pairs()] == [a.host]
    pair_volumes(a, 1, b, 1)
    assert wait_for(lambda: state(a, 1) == "Active" and state(b, 1) == "Active")


def test_a_restart_keeps_the_addresses(tmp_path):
    sim = SimulatorProcess(tmp_path / "sim", clusters=2, address_per_cluster=True).start()
    try:
        a, b = sim.clusters
        pair_clusters(a, b)
        hosts = [c.host for c in sim.clusters]
        sim.restart()
        assert [c.host for c in sim.clusters] == hosts
        a = sim.clusters[0]
        assert wait_for(lambda: a.cluster_pairs()[0]["status"] == "Connected")
        assert a.cluster_pairs()[0]["mvip"] == hosts[1]
    finally:
        sim.stop()
    assert not os.path.exists(os.path.join(sim.state_dir, "server.pid"))


def test_base_port_is_the_one_shared_port(tmp_path):
    def start(base):
        return SimulatorProcess(tmp_path / f"sim-{base}", clusters=2, base_port=base,
                                address_per_cluster=True).start()

    sim = start_on_fixed_ports(start, 1)
    try:
        assert {c.port for c in sim.clusters} == {sim.base_port}
        assert [c.call("GetClusterInfo")["clusterInfo"]["mvip"] for c in sim.clusters] == \
            ["127.0.0.2", "127.0.0.3"]
    finally:
        sim.stop()
