"""``manage.py bench_data --size S|L|X``: fill an empty database with benchmark data."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from benchmarks import datagen


class Command(BaseCommand):
    help = (
        "Fills an empty, migrated database with benchmark data: S (a small municipality), "
        "L (a large city) or X (a shared service for 50 municipalities, 10 × L). "
        "Prints the ids of the key objects and the rows written as JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=sorted(datagen.SIZES), required=True)
        parser.add_argument("--seed", type=int, default=9)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = datagen.generate(options["size"], seed=options["seed"], say=self.stderr.write)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result, indent=2))
