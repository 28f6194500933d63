"""The model under the handlers: Element's limits, the lookups that raise Element's errors, the
checks of volume fields, the records of new volumes and accounts, and the pairing keys. Handlers
(the @method modules) import these; nothing here imports a handler."""

import json
import re
import uuid

from ..errors import ElementError
from ..network import split_mvip
from .state import ALNUM, iso_now, random_string

# ---- limits ---------------------------------------------------------------------------------

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


# ---- volumes --------------------------------------------------------------------------------

MIB = 1024 * 1024
ACCESS_VALUES = ("readOnly", "readWrite", "locked", "replicationTarget", "snapMirrorTarget")
VOLUME_STATUSES = ("creating", "snapshotting", "active", "deleted")
# ListVolumes' volumeStatus values name states; a clone still being made has status "init"
# (CloneVolume docs example), which the "creating" filter selects.
STATUS_FILTER = {"creating": "init"}


def volume_or_error(cluster, volume_id, allow_deleted=False):
    """The volume, unless unknown or deleted. Clones still being made ("init") count."""
    vol = cluster.volumes.get(volume_id)
    if vol is None or (vol["status"] == "deleted" and not allow_deleted):
        raise ElementError("xVolumeIDDoesNotExist", f"VolumeID {volume_id} does not exist.")
    return vol


def check_volume_name(name):
    if not LIMITS["volumeNameLengthMin"] <= len(name) <= LIMITS["volumeNameLengthMax"]:
        raise ElementError("xInvalidParameter", "Volume name must be 1-64 characters.")


def rounded_size(size):
    """Sizes are rounded up to a whole MiB (the docs' example sizes are all MiB multiples)."""
    if not LIMITS["volumeSizeMin"] <= size <= LIMITS["volumeSizeMax"]:
        raise ElementError("xInvalidParameter",
                           f"totalSize must be {LIMITS['volumeSizeMin']}-"
                           f"{LIMITS['volumeSizeMax']} bytes.")
    return -(-size // MIB) * MIB


def check_attributes(attributes):
    if len(json.dumps(attributes)) >= 1000:
        raise ElementError("xInvalidParameter", "attributes must be less than 1000 bytes.")


def merged_qos(current, given):
    qos = dict(current)
    for key in ("minIOPS", "maxIOPS", "burstIOPS"):
        if given.get(key) is not None:
            value = given[key]
            if isinstance(value, bool) or not isinstance(value, int):
                raise ElementError("xInvalidParameterType", f"qos.{key} must be an integer.")
            qos[key] = value
    bounds = {"minIOPS": "volumeMinIOPS", "maxIOPS": "volumeMaxIOPS",
              "burstIOPS": "volumeBurstIOPS"}
    for key, limit in bounds.items():
        if not LIMITS[limit + "Min"] <= qos[key] <= LIMITS[limit + "Max"]:
            raise ElementError("xInvalidParameter", f"qos.{key} is out of range.")
    if not qos["minIOPS"] <= qos["maxIOPS"] <= qos["burstIOPS"]:
        raise ElementError("xInvalidParameter", "qos must satisfy minIOPS <= maxIOPS <= burstIOPS.")
    return qos


def new_volume_record(cluster, name, account_id, total_size, enable512e, qos=None,
                      attributes=None, access="readWrite", fifo_size=24, min_fifo_size=0):
    return {
        "volumeID": cluster.allocate_id("volume"), "name": name, "accountID": account_id,
        "createTime": iso_now(), "volumeUUID": str(uuid.uuid4()),
        "volumeConsistencyGroupUUID": str(uuid.uuid4()), "status": "active",
        "access": access, "enable512e": enable512e, "qos": qos or dict(DEFAULT_QOS),
        "deleteTime": "", "purgeTime": "", "totalSize": total_size,
        "attributes": attributes or {}, "fifoSize": fifo_size, "minFifoSize": min_fifo_size,
        "enableSnapMirrorReplication": False, "pair": None,
    }


# ---- accounts -------------------------------------------------------------------------------

def check_secret(name, value):
    if not LIMITS["secretLengthMin"] <= len(value) <= LIMITS["secretLengthMax"]:
        raise ElementError("xInvalidParameter",
                           f"{name} must be {LIMITS['secretLengthMin']}-"
                           f"{LIMITS['secretLengthMax']} characters.")


def _new_secret(unlike=None):
    while True:
        secret = random_string(ALNUM, 16)
        if secret != unlike:
            return secret


def new_account_record(cluster, username, initiator_secret, target_secret, attributes,
                       enable_chap):
    # The caller's secrets are kept as given, even when equal (see the README's invented
    # behaviours); only a secret the cluster makes up is made to differ from the other one.
    initiator_secret = initiator_secret or _new_secret(unlike=target_secret)
    target_secret = target_secret or _new_secret(unlike=initiator_secret)
    return {"accountID": cluster.allocate_id("account"), "username": username,
            "status": "active", "initiatorSecret": initiator_secret,
            "targetSecret": target_secret, "attributes": attributes, "enableChap": enable_chap}


def account_or_error(cluster, account_id, error="xAccountIDDoesNotExist"):
    account = cluster.accounts.get(account_id)
    if account is None:
        raise ElementError(error, "xUnknownAccount" if error == "xUnknownAccount"
                           else f"AccountID {account_id} does not exist.")
    return account


# ---- snapshots ------------------------------------------------------------------------------

def snapshot_or_error(cluster, snapshot_id):
    snap = cluster.snapshots.get(snapshot_id)
    if snap is None:
        raise ElementError("xSnapshotIDDoesNotExist", f"SnapshotID {snapshot_id} does not exist.")
    return snap


def group_snapshot_or_error(cluster, group_snapshot_id):
    group = cluster.group_snapshots.get(group_snapshot_id)
    if group is None:
        raise ElementError("xGroupSnapshotIDDoesNotExist",
                           f"GroupSnapshotID {group_snapshot_id} does not exist.")
    return group


# ---- pairing keys, and the pair a peer calls through -----------------------------------------

HEX_KEY = re.compile(r"(?:[0-9a-f]{2})+")
CLUSTER_KEY_FIELDS = {"clusterPairID": int, "clusterPairUUID": str, "clusterUniqueID": str,
                      "mvip": str, "name": str, "password": str, "rpcConnectionID": int,
                      "username": str}


def encode_key(fields):
    """Pairing keys are lowercase hex of compact, key-sorted JSON."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode().hex()


def decode_key(key, field_types):
    if not HEX_KEY.fullmatch(key):  # keys are issued in lowercase hex; any edit breaks them
        raise ElementError("xInvalidPairingKey")
    try:
        fields = json.loads(bytes.fromhex(key).decode())
    except (ValueError, UnicodeDecodeError):
        raise ElementError("xInvalidPairingKey") from None
    if not isinstance(fields, dict) or any(
            not isinstance(fields.get(name), typ) or isinstance(fields.get(name), bool)
            for name, typ in field_types.items()):
        raise ElementError("xInvalidPairingKey")
    try:
        uuid.UUID(fields.get("clusterPairUUID") or fields.get("volumePairUUID"))
        split_mvip(fields["mvip"])
    except (TypeError, ValueError):
        raise ElementError("xInvalidPairingKey") from None
    return fields


def calling_pair(cluster, call, pending=False):
    """The cluster pair whose credentials the peer used, in the expected state."""
    pair = cluster.cluster_pairs.get(call.pair_id)
    if pair is None or pair["pending"] != pending:
        raise ElementError("xPermissionDenied")
    return pair
