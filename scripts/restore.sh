#!/usr/bin/env bash
# Restore an Uppsikt backup made by scripts/backup.sh into an EMPTY database and upload dir.
#
#   createdb uppsikt_restored
#   DATABASE_URL=postgres://.../uppsikt_restored UPLOAD_ROOT=/srv/uppsikt/uploads \
#       scripts/restore.sh BACKUP_DIR
#
# Refuses a database that already has tables and an upload directory that is not empty, so a
# restore never mixes with live data. See docs/backup.md.
set -euo pipefail

src="${1:?usage: restore.sh BACKUP_DIR}"
: "${DATABASE_URL:?DATABASE_URL must name the EMPTY database to restore into}"
here="$(cd "$(dirname "$0")/.." && pwd)"
upload_root="${UPLOAD_ROOT:-$here/var/uploads}"

(cd "$src" && sha256sum --check --quiet SHA256SUMS)

tables="$(psql "$DATABASE_URL" --no-psqlrc --tuples-only --no-align \
    --command="SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
if [ "$tables" != "0" ]; then
    echo "restore.sh: the database already has $tables tables; restore into an empty one" >&2
    exit 2
fi
if [ -e "$upload_root" ] && [ -n "$(ls -A "$upload_root" 2>/dev/null)" ]; then
    echo "restore.sh: $upload_root is not empty; restore into an empty directory" >&2
    exit 2
fi

# All or nothing: one transaction, stop at the first error.
pg_restore --exit-on-error --single-transaction --no-owner --no-privileges \
    --dbname="$DATABASE_URL" "$src/database.dump"

mkdir -p "$upload_root"
tar --extract --gzip --file="$src/uploads.tar.gz" --directory="$upload_root" --no-same-owner
echo "restored $src into the database and $upload_root"
