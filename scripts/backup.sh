#!/usr/bin/env bash
# Back up Uppsikt: the PostgreSQL database (pg_dump, custom format) and the uploaded files.
#
#   DATABASE_URL=postgres://... UPLOAD_ROOT=/srv/uppsikt/uploads scripts/backup.sh [DEST_DIR]
#
# Writes DEST_DIR/database.dump, DEST_DIR/uploads.tar.gz and DEST_DIR/SHA256SUMS, and prints
# DEST_DIR. DEST_DIR defaults to backup/<date-time>. See docs/backup.md.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database to back up}"
here="$(cd "$(dirname "$0")/.." && pwd)"
upload_root="${UPLOAD_ROOT:-$here/var/uploads}"
dest="${1:-$here/backup/$(date +%Y%m%d-%H%M%S)}"

if [ -e "$dest" ] && [ -n "$(ls -A "$dest" 2>/dev/null)" ]; then
    echo "backup.sh: $dest exists and is not empty; choose a new directory" >&2
    exit 2
fi
mkdir -p "$dest"
chmod 700 "$dest"  # the dump holds personal data and password hashes

# One consistent snapshot of the database; no owners or grants, so it restores under any role.
pg_dump --format=custom --no-owner --no-privileges --file="$dest/database.dump" "$DATABASE_URL"

# The uploaded files (evidence, audit reports, generated reports). An absent directory is an
# installation without uploads yet: archive it empty rather than fail.
mkdir -p "$upload_root"
tar --create --gzip --file="$dest/uploads.tar.gz" --directory="$upload_root" .

(cd "$dest" && sha256sum database.dump uploads.tar.gz > SHA256SUMS)
echo "$dest"
