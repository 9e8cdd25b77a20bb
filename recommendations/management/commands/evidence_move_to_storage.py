"""Move evidence files from a host's disk (MEDIA_ROOT) into the storage the settings name
(the shared S3 bucket), verifying each by size and SHA-256 read back from the bucket before
the file on disk is removed. Safe to run again: a file already in the bucket and identical is
only verified. The database keeps the same names, so nothing in it changes.

    AWS_STORAGE_BUCKET_NAME=... manage.py evidence_move_to_storage [--source DIR] [--keep-local]
"""

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.base import BaseCommand, CommandError

from recommendations.models import Evidence

CHUNK = 1024 * 1024


def _digest(storage, name: str) -> tuple[int, str]:
    """Size and SHA-256 of a stored file, read to the end."""
    sha, size = hashlib.sha256(), 0
    with storage.open(name, "rb") as file:
        while chunk := file.read(CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return size, sha.hexdigest()


class Command(BaseCommand):
    help = "Move evidence files from the local disk into the configured (S3) storage."

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            default=str(settings.MEDIA_ROOT),
            help="The folder the files are in (default: MEDIA_ROOT).",
        )
        parser.add_argument(
            "--keep-local",
            action="store_true",
            help="Leave each verified file on disk too (default: remove it once verified).",
        )

    def handle(self, *, source: str, keep_local: bool, **options):
        local = FileSystemStorage(location=source)
        target = default_storage
        if isinstance(target, FileSystemStorage) and Path(target.location) == Path(source):
            raise CommandError(
                "The evidence storage is this folder: set AWS_STORAGE_BUCKET_NAME (README, "
                "'Running it for real') so that the files have somewhere to move to."
            )
        counts = {"moved": 0, "already there": 0}
        problems: list[str] = []
        for evidence in Evidence.objects.order_by("id").only("id", "file", "size").iterator():
            outcome = self._move(evidence, local, target, keep_local=keep_local)
            if outcome in counts:
                counts[outcome] += 1
            else:
                problems.append(f"evidence {evidence.pk} ({evidence.file.name}): {outcome}")
        for problem in problems:
            self.stderr.write(problem)
        self.stdout.write(
            f"Moved and verified {counts['moved']}, already in the storage and verified "
            f"{counts['already there']}, failed {len(problems)}."
        )
        if problems:
            raise CommandError(f"{len(problems)} file(s) not moved; see above.")

    def _move(self, evidence: Evidence, local, target, *, keep_local: bool) -> str:
        name = evidence.file.name
        if not local.exists(name):
            if not target.exists(name):
                return "missing from both the disk and the storage"
            size, _ = _digest(target, name)
            if size != evidence.size:
                return f"in the storage with {size} bytes, not the {evidence.size} recorded"
            return "already there"
        size, sha = _digest(local, name)
        if size != evidence.size:
            return f"on disk with {size} bytes, not the {evidence.size} recorded; left there"
        already = target.exists(name) and _digest(target, name) == (size, sha)
        if not already:
            with local.open(name, "rb") as file:
                saved = target.save(name, File(file, name=name))
            if saved != name:
                target.delete(saved)
                return f"the storage saved it as {saved!r}; left on disk"
            if _digest(target, name) != (size, sha):
                return "what the storage holds differs from the file; left on disk"
        if not keep_local:
            local.delete(name)
        return "already there" if already else "moved"
