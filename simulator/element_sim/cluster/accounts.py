"""Tenant accounts: AddAccount, GetAccountByID, GetAccountByName, ListAccounts."""

from ..errors import ElementError
from ..rpc import method, opt, req
from .model import LIMITS, account_or_error, check_secret, new_account_record
from .render import ZERO_UUID


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


@method("AddAccount", since=1.0, username=req(str), initiatorSecret=opt(str),
        targetSecret=opt(str), attributes=opt(dict), enableChap=opt(bool))
def add_account(cluster, p, call):
    username = p["username"]
    if not LIMITS["accountNameLengthMin"] <= len(username) <= LIMITS["accountNameLengthMax"]:
        raise ElementError("xInvalidParameter", "username must be 1-64 characters.")
    if username in cluster.account_by_name:
        raise ElementError("xDuplicateUsername", f"Username {username} already exists.")
    for name in ("initiatorSecret", "targetSecret"):
        if name in p:
            check_secret(name, p[name])
    account = new_account_record(cluster, username, p.get("initiatorSecret"),
                                 p.get("targetSecret"), p.get("attributes", {}),
                                 p.get("enableChap", True))
    cluster.add_account(account)
    return {"account": render_account(cluster, account), "accountID": account["accountID"]}


@method("GetAccountByID", since=1.0, accountID=req(int))
def get_account_by_id(cluster, p, call):
    account = account_or_error(cluster, p["accountID"], "xUnknownAccount")
    return {"account": render_account(cluster, account)}


@method("GetAccountByName", since=1.0, username=req(str))
def get_account_by_name(cluster, p, call):
    account_id = cluster.account_by_name.get(p["username"])
    account = account_or_error(cluster, account_id, "xUnknownAccount")
    return {"account": render_account(cluster, account)}


@method("ListAccounts", since=1.0, startAccountID=opt(int), limit=opt(int),
        includeStorageContainers=opt(bool))
def list_accounts(cluster, p, call):
    start, limit = p.get("startAccountID", 0), p.get("limit", 0)
    accounts = [render_account(cluster, a) for i, a in cluster.accounts.items() if i >= start]
    return {"accounts": accounts[:limit] if limit > 0 else accounts}
