"""The simulated clock: /sim/clock moves time forward for every cluster, and a restart keeps it."""

import pytest
import requests

from element_sim.harness import SimulatorProcess

HOUR = 3600


@pytest.fixture
def sim(tmp_path):
    with SimulatorProcess(str(tmp_path / "state"), clusters=2, volumes=1) as process:
        yield process


def _create_time_of_new_volume(cluster):
    account = cluster.call("ListAccounts")["accounts"][0]["accountID"]
    volume = cluster.call("CreateVolume", name="clocked", accountID=account, totalSize=2 * 1024 ** 3,
                          enable512e=True)["volume"]
    return volume["createTime"]


def test_advance_moves_every_cluster_and_survives_a_restart(sim):
    first, second = sim.clusters
    before = first.clock()
    after = first.advance_clock(2 * HOUR)
    assert after["offset"] == pytest.approx(before["offset"] + 2 * HOUR)
    assert second.clock()["offset"] == pytest.approx(after["offset"])
    # Records get simulated times: a volume created now is two hours in the future of wall time.
    created = _create_time_of_new_volume(second)
    import datetime
    stamp = datetime.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    assert stamp.timestamp() > before["now"] + 2 * HOUR - 5
    sim.restart()
    assert sim.clusters[0].clock()["offset"] == pytest.approx(after["offset"])


@pytest.mark.parametrize("body", [{"advance": -1}, {"advance": "1h"}, {}, {"advance": True}])
def test_bad_advance_is_refused(sim, body):
    cluster = sim.clusters[0]
    response = cluster.session.post(f"{cluster.url}/sim/clock", json=body, timeout=10)
    assert response.status_code == 400
    assert "advance" in response.json()["error"]
    assert cluster.clock()["offset"] == 0


def test_clock_needs_admin_credentials(sim):
    cluster = sim.clusters[0]
    response = requests.get(f"{cluster.url}/sim/clock", verify=cluster.ca_cert, timeout=10)
    assert response.status_code == 401
