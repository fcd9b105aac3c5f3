// The `gatehouse` command's help texts, apart from the commands themselves: `gatehouse <command> --help` and a usage
// error print them without loading the command's code (cli.ts loads a command's module only to run it).
import { SOURCES } from '../import/source-names.ts';

export const IMPORT_HELP = `Usage: gatehouse import <${SOURCES.join('|')}> --from <DATABASE_URL | FILE> [options]

Imports the users of another system into DATABASE_URL (migrations applied first): ids, emails (the one email rule),
password hashes (bcrypt, argon2, scrypt, PBKDF2: each user logs in with the old password, which is then re-hashed
with argon2id), is_active, is_verified, super admins, and OAuth accounts (provider tokens sealed). First every user is
checked and every conflict listed; then, unless --dry-run, the users are written in batches, one transaction each.
Running it again updates the users it wrote, never duplicates them.
  --from URL           The source: sqlite:///file.db, a SQLite file, or postgres://… (jsonl: a file, docs/import-jsonl.md)
  --dry-run            Check and report only; write nothing
  --skip-conflicts     Import the users without conflicts, leave the others out, exit 0 (default: write nothing, exit 1)
  --batch-size N       Users per transaction (default 1000)
  --users-table T      The user table (fastapi-users, better-auth: user; supabase: auth.users)
  --accounts-table T   The OAuth account table (fastapi-users: oauth_account or oauthaccount, found either way;
                       better-auth: account; supabase: auth.identities)
  --username-column C  A column of the user table imported as username
  --full-name-column C A column of the user table imported as full_name`;

export const HELP: Record<string, string> = {
  main: `Usage: gatehouse <command> [options]

Commands:
  serve              Start the HTTP server (applies migrations first)
  migrate            Apply database migrations and exit
  create-superuser   Create a super admin, or promote an existing user
  keys               List or rotate the JWT signing keys (EdDSA/ES256/RS256)
  backup             Copy the SQLite database while the server runs (PostgreSQL: pg_dump)
  import             Import the users of fastapi-users, Better Auth, Supabase or a JSON-lines file
  config             List the configuration variables

Run "gatehouse <command> --help" for a command's options. Settings come from the environment and ./.env.`,
  serve: `Usage: gatehouse serve [--host HOST] [--port PORT] [--workers N] [--no-migrate]

Starts the API on HOST:PORT (default 127.0.0.1:8000). Stops cleanly on SIGTERM/SIGINT.
  --host HOST     Overrides HOST
  --port PORT     Overrides PORT
  --workers N     Run N processes sharing the port (node:cluster); use PostgreSQL, and REDIS_URL for shared rate limits
  --no-migrate    Do not apply migrations; refuse to start if any are pending`,
  migrate: `Usage: gatehouse migrate [--check]

Applies pending migrations to DATABASE_URL. Safe to run from several processes at once.
  --check   Apply nothing; list pending migrations and exit 1 if there are any`,
  'create-superuser': `Usage: gatehouse create-superuser --email EMAIL [--password-stdin]

Creates a verified super admin with EMAIL, or promotes the existing user with that email (and sets the password).
The password is asked for twice on a terminal, or read from the first line of standard input. With the default
MFA_REQUIRED_ROLES, the super admin must set up a second factor at the first sign-in before anything else works.
  --email EMAIL       The super admin's email
  --password-stdin    Read the password from standard input even on a terminal`,
  keys: `Usage: gatehouse keys list | rotate

With an asymmetric JWT_ALGORITHM (EdDSA, ES256, RS256), keys live in the database, shared by every instance.
  list     Each key: kid, algorithm, created, and whether it signs, still verifies, or has expired
  rotate   A new key signs from now on; the old ones keep verifying (and stay in the JWKS) until every
           token they signed has expired. Instances pick the new key up within a minute.`,
  backup: `Usage: gatehouse backup --to FILE

Copies the SQLite database at DATABASE_URL to FILE, consistently, while servers keep using it (SQLite's online
backup), and checks the copy's integrity. FILE must not exist. To restore, stop the servers and put FILE in the
database's place (remove its -wal and -shm files). For PostgreSQL use pg_dump.
  --to FILE   Where the copy goes`,
  import: IMPORT_HELP,
  config: 'Usage: gatehouse config\n\nLists every configuration variable with its default and meaning.',
};
