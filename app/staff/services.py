"""Staff accounts and roles: who may do what. Owners invite, re-role and deactivate staff."""
from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa

from app.accounts import services as accounts
from app.accounts.models import Account, AccountKind
from app.errors import Conflict, InvalidRequest, PermissionDenied, not_found
from app.extensions import db
from app.i18n import _
from app.staff.models import StaffRole
from app.staff.permissions import BUILTIN_ROLES, OWNER_ONLY, PERMISSIONS, ROLE_NAMES, SELF

OWNER = "owner"


def permissions_of(account: Account) -> frozenset[str]:
    """The permissions an active staff account holds through its role (none for anyone else)."""
    if account.kind is not AccountKind.STAFF or not account.is_active or not account.staff_role:
        return frozenset()
    builtin = BUILTIN_ROLES.get(account.staff_role)
    if builtin is not None:
        return builtin | {SELF}
    role = db.session.scalar(sa.select(StaffRole).where(StaffRole.key == account.staff_role))
    return frozenset(role.permissions if role else ()) | {SELF}


def require_permission(account: Account, permission: str) -> None:
    if permission not in permissions_of(account):
        raise PermissionDenied(_("Your role does not allow this (it needs the permission %(permission)s)",
                                 permission=permission), code="permission_denied",
                               details={"permission": permission, "role": account.staff_role})


def roles() -> list[dict[str, Any]]:
    """Built-in roles first, then custom ones, each with its permissions."""
    out = [{"id": None, "key": key, "name": str(ROLE_NAMES[key]), "builtin": True, "permissions": sorted(perms)}
           for key, perms in BUILTIN_ROLES.items()]
    for role in db.session.scalars(sa.select(StaffRole).order_by(StaffRole.id)):
        out.append({"id": role.id, "key": role.key, "name": role.name, "builtin": False,
                    "permissions": sorted(role.permissions)})
    return out


def _role_exists(key: str) -> bool:
    return key in BUILTIN_ROLES or db.session.scalar(sa.select(StaffRole.id).where(StaffRole.key == key)) is not None


def _check_permissions(permissions: list[str]) -> list[str]:
    unknown = sorted(set(permissions) - set(PERMISSIONS))
    if unknown:
        raise InvalidRequest(_("Unknown permissions: %(names)s", names=", ".join(unknown)),
                             code="unknown_permission", details={"permissions": unknown})
    reserved = sorted(set(permissions) & OWNER_ONLY)
    if reserved:
        raise InvalidRequest(_("Only owners hold %(names)s; give the owner role instead", names=", ".join(reserved)),
                             code="owner_only_permission", details={"permissions": reserved})
    return sorted(set(permissions))


def get_role(role_id: int) -> StaffRole:
    role = db.session.get(StaffRole, role_id)
    if role is None:
        raise not_found("staff_role", id=role_id)
    return role


def create_role(*, key: str, name: str, permissions: list[str]) -> StaffRole:
    """A custom role from permissions; its key may not shadow a built-in role."""
    if _role_exists(key):
        raise Conflict(_("A role with this key already exists"), code="role_exists", details={"key": key})
    role = StaffRole(key=key, name=name, permissions=_check_permissions(permissions))
    db.session.add(role)
    db.session.commit()
    return role


def update_role(role: StaffRole, changes: dict[str, Any]) -> StaffRole:
    if "permissions" in changes:
        role.permissions = _check_permissions(changes["permissions"])
    if "name" in changes:
        role.name = changes["name"]
    db.session.commit()
    return role


def delete_role(role: StaffRole) -> None:
    if db.session.scalar(sa.select(Account.id).where(Account.staff_role == role.key).limit(1)) is not None:
        raise Conflict(_("Staff still hold this role; give them another role first"), code="role_in_use")
    db.session.delete(role)
    db.session.commit()


def list_staff() -> sa.Select:
    return sa.select(Account).where(Account.kind == AccountKind.STAFF).order_by(Account.id)


def get_staff(account_id: int) -> Account:
    account = db.session.get(Account, account_id)
    if account is None or account.kind is not AccountKind.STAFF:
        raise not_found("staff", id=account_id)
    return account


def _require_role(key: str) -> None:
    if not _role_exists(key):
        raise InvalidRequest(_("There is no role %(role)s", role=key), code="unknown_role", details={"role": key})


def invite(*, name: str, email: str, role: str) -> tuple[Account, str]:
    """Create a staff account with a one-time initial password the owner passes on."""
    _require_role(role)
    password = secrets.token_urlsafe(12)
    account = accounts.create_staff(name=name, email=email, password=password, role=role)
    return account, password


def _keep_an_owner(account: Account) -> None:
    # Guarded by the count of other active owners at this moment; the demotion of the last owner
    # would leave nobody able to manage staff.
    others = db.session.scalar(sa.select(sa.func.count()).select_from(Account).where(
        Account.kind == AccountKind.STAFF, Account.staff_role == OWNER, Account.is_active.is_(True),
        Account.id != account.id))
    if account.staff_role == OWNER and not others:
        raise Conflict(_("The store needs at least one active owner"), code="last_owner")


def change(account: Account, changes: dict[str, Any], *, by: Account) -> Account:
    """Change a staff member's role or name; an owner cannot demote themselves or the last owner."""
    if "role" in changes and changes["role"] != account.staff_role:
        _require_role(changes["role"])
        if account.id == by.id:
            raise Conflict(_("You cannot change your own role"), code="own_role")
        _keep_an_owner(account)
        account.staff_role = changes["role"]
    if "name" in changes:
        account.name = changes["name"]
    db.session.commit()
    return account


def deactivate(account: Account, *, by: Account) -> Account:
    """Deactivate a staff account: its tokens stop working at once, on every path."""
    if account.id == by.id:
        raise Conflict(_("You cannot deactivate yourself"), code="own_account")
    if account.is_active:
        _keep_an_owner(account)
    account.is_active = False
    hashes = accounts.revoke_all_tokens(account.id)
    db.session.commit()
    accounts.forget_tokens(hashes)
    return account


def reactivate(account: Account) -> Account:
    account.is_active = True
    db.session.commit()
    return account
