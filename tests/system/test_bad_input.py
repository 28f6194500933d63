# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The bad input catalogue: every case gets a clear error in msg and makes no mutating call.

One row per case: adding a case is one line (plus a setup function when it needs one).
"""

from __future__ import annotations

from collections import namedtuple

import pytest

from helpers import ensure_account, pair_clusters_raw, pair_volumes_raw, volume_named

GIB = 1024 ** 3
CLUSTER_PAIR = "element.replication.element_cluster_pair"
VOLUME_PAIR = "element.replication.element_volume_pair"

Case = namedtuple("Case", "setup module params expected")


def paired(sim):
    pair_clusters_raw(sim.cluster("prod"), sim.cluster("dr"))


def paired_with_duplicate_name(sim):
    paired(sim)
    prod = sim.cluster("prod")
    prod.call("CreateVolume", name="vol-0005", accountID=1, totalSize=GIB, enable512e=True)


def paired_with_small_target(sim):
    paired(sim)
    sim.cluster("prod").call("CreateVolume", name="big", accountID=1, totalSize=4 * GIB, enable512e=True)
    sim.cluster("dr").call("CreateVolume", name="big", accountID=1, totalSize=GIB, enable512e=True)


def paired_with_target_in_use(sim):
    paired(sim)
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    pair_volumes_raw(prod, dr, volume_named(prod, "vol-0007")["volumeID"], volume_named(dr, "vol-0006")["volumeID"])


def paired_with_512e_mismatch(sim):
    paired(sim)
    sim.cluster("prod").call("CreateVolume", name="e512", accountID=1, totalSize=GIB, enable512e=True)
    sim.cluster("dr").call("CreateVolume", name="e512", accountID=1, totalSize=GIB, enable512e=False)


def paired_with_reversed_source(sim):
    paired(sim)
    prod = sim.cluster("prod")
    prod.call("ModifyVolume", volumeID=volume_named(prod, "vol-0008")["volumeID"], access="replicationTarget")


def paired_with_source_in_use(sim):
    paired(sim)
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    pair_volumes_raw(prod, dr, volume_named(prod, "vol-0009")["volumeID"], volume_named(dr, "vol-0010")["volumeID"])


def four_other_pairs(sim):
    for other in ("edge", "lab1", "lab2", "lab3"):
        pair_clusters_raw(sim.cluster("prod"), sim.cluster(other))


def volume_pairs_in_the_way(sim):
    paired(sim)
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    pair_volumes_raw(prod, dr, volume_named(prod, "vol-0001")["volumeID"], volume_named(dr, "vol-0001")["volumeID"])


def namesake_in_another_account(sim):
    """dr has vol-0003 in account replication; create_target is asked to make one in dr-tenant."""
    paired(sim)
    ensure_account(sim.cluster("dr"), "dr-tenant")


def target_in_the_trash(sim):
    paired(sim)
    dr = sim.cluster("dr")
    dr.call("DeleteVolume", volumeID=volume_named(dr, "vol-0004")["volumeID"])


def peer(**override):
    """A marker for a peer connection with some options changed (resolved per simulator)."""
    return ("peer", override)


CASES = {
    "unknown-volume-name": Case(paired, VOLUME_PAIR, {"volume": "no-such-volume"},
                                "source volume 'no-such-volume' not found on cluster prod"),
    "unknown-volume-id": Case(paired, VOLUME_PAIR, {"volume_id": 9999}, "source volume ID 9999 not found on cluster prod"),
    "unknown-peer-volume-id": Case(paired, VOLUME_PAIR, {"volume": "vol-0001", "peer_volume_id": 9998},
                                   "target volume ID 9998 not found on cluster dr"),
    "ambiguous-name": Case(paired_with_duplicate_name, VOLUME_PAIR, {"volume": "vol-0005"},
                           "source volume name 'vol-0005' matches 2 volumes on cluster prod (IDs "),
    "wrong-password": Case(None, CLUSTER_PAIR, {"password": "not-the-password"},
                           "authentication failed for user admin on cluster"),
    "wrong-peer-password": Case(None, CLUSTER_PAIR, {"peer": peer(password="nope-nope")},
                                "authentication failed for user admin on cluster"),
    "wrong-port": Case(None, CLUSTER_PAIR, {"port": 9}, "cannot connect to 127.0.0.1:9: the connection was refused "
                       "(nothing listens on that address and port). Check that the MVIP (hostname) and port are right"),
    "unreachable-host": Case(None, CLUSTER_PAIR, {"peer": peer(hostname="unreachable.invalid", timeout=2)},
                             "cannot connect to unreachable.invalid"),
    "unknown-ca": Case(None, CLUSTER_PAIR, {"ca_path": None}, "TLS certificate verification failed"),
    "unserved-api-version": Case(None, CLUSTER_PAIR, {"api_version": "99.0"}, "does not serve API version 99.0"),
    "invalid-mode": Case(paired, VOLUME_PAIR, {"volume": "vol-0001", "mode": "Turbo"},
                         "value of mode must be one of: Async, Sync, SnapshotsOnly, got: Turbo"),
    "invalid-mode-in-item": Case(paired, VOLUME_PAIR, {"pairs": [{"volume": "vol-0001"}, {"volume": "vol-0002", "mode": "x"}]},
                                 "value of mode must be one of: Async, Sync, SnapshotsOnly, got: x found in pairs"),
    "pair-without-source": Case(paired, VOLUME_PAIR, {"pairs": [{"volume": "vol-0001"}, {"peer_volume": "vol-0002"}]},
                                "one of the following is required: volume, volume_id found in pairs"),
    "target-smaller": Case(paired_with_small_target, VOLUME_PAIR, {"volume": "big"},
                           "on cluster dr is smaller than the source"),
    "512e-differs": Case(paired_with_512e_mismatch, VOLUME_PAIR, {"volume": "e512"}, "has enable512e=False"),
    "source-not-read-write": Case(paired_with_reversed_source, VOLUME_PAIR, {"volume": "vol-0008"},
                                  "has access replicationTarget, not readWrite"),
    "target-paired-elsewhere": Case(paired_with_target_in_use, VOLUME_PAIR, {"volume": "vol-0006"},
                                    "target volume vol-0006 (ID"),
    "source-paired-elsewhere": Case(paired_with_source_in_use, VOLUME_PAIR, {"volume": "vol-0009"},
                                    "source volume vol-0009 (ID 9) on cluster prod is already paired with volume vol-0010"),
    "fifth-cluster-pair": Case(four_other_pairs, CLUSTER_PAIR, {}, "cluster prod already has the maximum of 4 cluster pairs"),
    "unpair-with-volume-pairs": Case(volume_pairs_in_the_way, CLUSTER_PAIR, {"state": "absent"},
                                     "cannot unpair clusters prod and dr while volume pairs use the cluster pair"),
    "pair-with-itself": Case(None, CLUSTER_PAIR, {"peer": peer(cluster="prod", hostname="localhost")},
                             "cannot pair cluster prod with itself"),
    "no-cluster-pair": Case(None, VOLUME_PAIR, {"volume": "vol-0001"},
                            "clusters prod and dr are not paired: pair them first with element.replication.element_cluster_pair"),
    "volume-and-pairs": Case(paired, VOLUME_PAIR, {"volume": "vol-0001", "pairs": [{"volume": "vol-0002"}]},
                             "parameters are mutually exclusive: pairs|volume"),
    "string-for-volume-id": Case(paired, VOLUME_PAIR, {"volume_id": "twelve"}, "volume_id"),
    # Issue 12: what a new user hit.
    "one-source-twice": Case(paired, VOLUME_PAIR, {"pairs": [{"volume": "vol-0005"},
                                                             {"volume": "vol-0005", "peer_volume": "vol-0006"}]},
                             "the pairs contradict each other (a volume can be in one pair only), nothing was changed: "
                             "source volume vol-0005 (ID 5) on prod is used by pair 1 (volume vol-0005) and pair 2"),
    "one-target-twice": Case(paired, VOLUME_PAIR, {"pairs": [{"volume": "vol-0005"},
                                                             {"volume": "vol-0006", "peer_volume": "vol-0005"}]},
                             "target volume vol-0005 (ID 5) on dr is used by pair 1 (volume vol-0005) and pair 2"),
    "create-target-namesake": Case(namesake_in_another_account, VOLUME_PAIR,
                                   {"create_target": True, "peer_account": "dr-tenant", "pairs": [{"volume": "vol-0003"}]},
                                   "but volume vol-0003 (ID 3) exists there in account replication (ID 1)"),
    "target-in-the-trash": Case(target_in_the_trash, VOLUME_PAIR, {"volume": "vol-0004"},
                                "target volume 'vol-0004' on cluster dr is deleted (since "),
    "peer-user-without-password": Case(None, CLUSTER_PAIR, {"peer": peer(username="someone-else", password=None)},
                                       "peer.password is required when peer.username (someone-else) differs"),
}


def resolve(ansible, params):
    resolved = {}
    for key, value in params.items():
        if isinstance(value, tuple) and value[0] == "peer":
            override = dict(value[1])
            resolved[key] = dict(ansible.connection(override.pop("cluster", "dr")), **override)
        else:
            resolved[key] = value
    return resolved


def replication_state(cluster):
    """The cluster's pairs as a comparable value; a cluster pair's latency is measured live and varies."""
    pairs = [{k: v for k, v in pair.items() if k != "latency"} for pair in cluster.cluster_pairs()]
    return pairs, cluster.paired_volumes()


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_refused_clearly_and_changes_nothing(sim, ansible, name):
    case = CASES[name]
    if case.setup:
        case.setup(sim)
    before = {c.name: replication_state(c) for c in sim.clusters}
    for cluster in sim.clusters:
        cluster.clear_calls()
    run = ansible.play([{"name": "bad input", case.module: resolve(ansible, case.params)}])
    assert run.rc != 0
    msg = run.task("bad input")["msg"]
    assert case.expected in msg, msg
    assert "Traceback" not in run.stdout + run.stderr
    for cluster in sim.clusters:
        assert [c["method"] for c in cluster.calls() if c["mutating"]] == [], cluster.name
        assert replication_state(cluster) == before[cluster.name]
