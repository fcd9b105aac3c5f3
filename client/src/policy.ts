// The server's own tables, shared at run time (pure data and functions of src/model/, no server code): the SPA offers
// exactly the role changes the server accepts, and filters the audit log by the event types it records.
export { ROLES, POLICY, isRole, mayGrant, mayManage, isUserManager } from '../../src/model/roles.ts';
export { AUDIT_TYPES } from '../../src/model/audit.ts';
