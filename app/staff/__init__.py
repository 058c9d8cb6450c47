"""Staff: roles and permissions, four-eyes approvals and the audit log (docs/staff.md)."""
