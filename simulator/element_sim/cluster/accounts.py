"""Tenant accounts: AddAccount, GetAccountByID, GetAccountByName, ListAccounts."""

from ..errors import ElementError
from ..rpc import method, opt, req
from .info import LIMITS
from .render import ZERO_UUID
from .state import ALNUM, random_string


def _check_secret(name, value):
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


def render_account(cluster, account):
    return {
        "accountID": account["accountID"],
        "attributes": account["attributes"],
        "enableChap": account["enableChap"],
        # Both secrets must always be present: the Python SDK reads them unconditionally.
        "initiatorSecret": account["initiatorSecret"],
        "status": account["status"],
        "storageContainerID": ZERO_UUID,
        "targetSecret": account["targetSecret"],
        "username": account["username"],
        "volumes": sorted(cluster.volumes_by_account.get(account["accountID"], ())),
    }


def account_or_error(cluster, account_id, error="xAccountIDDoesNotExist"):
    account = cluster.accounts.get(account_id)
    if account is None:
        raise ElementError(error, "xUnknownAccount" if error == "xUnknownAccount"
                           else f"AccountID {account_id} does not exist.")
    return account


@method("AddAccount", since=1.0, username=req(str), initiatorSecret=opt(str),
        targetSecret=opt(str), attributes=opt(dict), enableChap=opt(bool))
def add_account(cluster, p, req):
    username = p["username"]
    if not LIMITS["accountNameLengthMin"] <= len(username) <= LIMITS["accountNameLengthMax"]:
        raise ElementError("xInvalidParameter", "username must be 1-64 characters.")
    if username in cluster.account_by_name:
        raise ElementError("xDuplicateUsername", f"Username {username} already exists.")
    for name in ("initiatorSecret", "targetSecret"):
        if name in p:
            _check_secret(name, p[name])
    account = new_account_record(cluster, username, p.get("initiatorSecret"),
                                 p.get("targetSecret"), p.get("attributes", {}),
                                 p.get("enableChap", True))
    cluster.add_account(account)
    return {"account": render_account(cluster, account), "accountID": account["accountID"]}


@method("GetAccountByID", since=1.0, accountID=req(int))
def get_account_by_id(cluster, p, req):
    account = account_or_error(cluster, p["accountID"], "xUnknownAccount")
    return {"account": render_account(cluster, account)}


@method("GetAccountByName", since=1.0, username=req(str))
def get_account_by_name(cluster, p, req):
    account_id = cluster.account_by_name.get(p["username"])
    account = account_or_error(cluster, account_id, "xUnknownAccount")
    return {"account": render_account(cluster, account)}


@method("ListAccounts", since=1.0, startAccountID=opt(int), limit=opt(int),
        includeStorageContainers=opt(bool))
def list_accounts(cluster, p, req):
    start, limit = p.get("startAccountID", 0), p.get("limit", 0)
    accounts = [render_account(cluster, a) for i, a in cluster.accounts.items() if i >= start]
    return {"accounts": accounts[:limit] if limit > 0 else accounts}
