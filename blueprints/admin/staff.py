"""Staff, roles and the audit log: owners only (permissions staff.manage and audit.read)."""
from __future__ import annotations

from app.staff import audit
from app.staff import services as staff
from app.staff.permissions import PERMISSIONS
from blueprints.admin import blp
from blueprints.auth import Role, current_account
from blueprints.csv_response import csv_response
from blueprints.pagination import SQLPage
from blueprints.schemas.staff import (
    AuditEntrySchema,
    AuditQuerySchema,
    InvitedStaffSchema,
    PermissionSchema,
    RoleInputSchema,
    RoleSchema,
    RoleUpdateSchema,
    StaffInviteSchema,
    StaffSchema,
    StaffUpdateSchema,
)


@blp.route("/staff", methods=["GET"])
@blp.requires(Role.STAFF, "staff.manage")
@blp.response(200, StaffSchema(many=True))
@blp.paginate(SQLPage)
def list_staff():
    """Staff accounts with their role and permissions"""
    return staff.list_staff()


@blp.route("/staff", methods=["POST"])
@blp.requires(Role.STAFF, "staff.manage")
@blp.arguments(StaffInviteSchema)
@blp.response(201, InvitedStaffSchema)
@blp.errors(409, 422)
def invite_staff(data):
    """Invite a staff member with a role; the answer carries their one-time initial password"""
    account, password = staff.invite(**data)
    account.initial_password = password
    return account


@blp.route("/staff/<id:account_id>", methods=["PATCH"])
@blp.requires(Role.STAFF, "staff.manage")
@blp.arguments(StaffUpdateSchema)
@blp.response(200, StaffSchema)
@blp.errors(404, 409, 422)
def update_staff(changes, account_id):
    """Change a staff member's role or name (not your own role; never the last owner's)"""
    return staff.change(staff.get_staff(account_id), changes, by=current_account())


@blp.route("/staff/<id:account_id>/deactivate", methods=["POST"])
@blp.requires(Role.STAFF, "staff.manage")
@blp.response(200, StaffSchema)
@blp.errors(404, 409)
def deactivate_staff(account_id):
    """Deactivate a staff member: their tokens stop working at once"""
    return staff.deactivate(staff.get_staff(account_id), by=current_account())


@blp.route("/staff/<id:account_id>/reactivate", methods=["POST"])
@blp.requires(Role.STAFF, "staff.manage")
@blp.response(200, StaffSchema)
@blp.errors(404)
def reactivate_staff(account_id):
    """Let a deactivated staff member log in again (their old tokens stay revoked)"""
    return staff.reactivate(staff.get_staff(account_id))


@blp.route("/permissions", methods=["GET"])
@blp.requires(Role.STAFF, "staff.manage")
@blp.response(200, PermissionSchema(many=True))
def list_permissions():
    """Every permission an operation can require (see `x-permission` on each operation)"""
    return [{"key": key, "description": str(text)} for key, text in PERMISSIONS.items()]


@blp.route("/roles", methods=["GET"])
@blp.requires(Role.STAFF, "staff.manage")
@blp.response(200, RoleSchema(many=True))
def list_roles():
    """Built-in and custom roles with their permissions"""
    return staff.roles()


@blp.route("/roles", methods=["POST"])
@blp.requires(Role.STAFF, "staff.manage")
@blp.arguments(RoleInputSchema)
@blp.response(201, RoleSchema)
@blp.errors(409, 422)
def create_role(data):
    """Make a custom role from permissions (staff.manage and audit.read stay with owners)"""
    return staff.create_role(**data)


@blp.route("/roles/<id:role_id>", methods=["PATCH"])
@blp.requires(Role.STAFF, "staff.manage")
@blp.arguments(RoleUpdateSchema)
@blp.response(200, RoleSchema)
@blp.errors(404, 422)
def update_role(changes, role_id):
    """Rename a custom role or replace its permissions; its holders get the new ones at once"""
    return staff.update_role(staff.get_role(role_id), changes)


@blp.route("/roles/<id:role_id>", methods=["DELETE"])
@blp.requires(Role.STAFF, "staff.manage")
@blp.response(204)
@blp.errors(404, 409)
def delete_role(role_id):
    """Delete a custom role nobody holds"""
    staff.delete_role(staff.get_role(role_id))


@blp.route("/audit-log", methods=["GET"])
@blp.requires(Role.STAFF, "audit.read")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditEntrySchema(many=True))
@blp.paginate(SQLPage, page_size=50)
def list_audit_log(query):
    """Who did what, newest first; filter by actor, action, object and time"""
    return audit.entries(**query)


@blp.route("/audit-log.csv", methods=["GET"])
@blp.requires(Role.STAFF, "audit.read")
@blp.arguments(AuditQuerySchema, location="query")
@blp.csv("CSV: one row per entry, newest first")
def export_audit_log(query):
    """The audit log (filtered like the list) as CSV"""
    return csv_response("audit-log.csv", audit.CSV_HEADER, audit.csv_rows(audit.entries(**query)))
