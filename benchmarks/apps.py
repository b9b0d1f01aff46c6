from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """The benchmark data generator (``manage.py bench_data``); no models, no URLs."""

    name = "benchmarks"
    verbose_name = "Benchmarks"
