"""
vecidx_djangotest -- the Django app test_client_django.py installs: models
using vecidx.django's fields and index, and the migrations that create them
(VectorExtension first).  Not collected by pytest (no test_*.py here).
"""
