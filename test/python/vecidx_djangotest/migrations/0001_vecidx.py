# The extension, as a user's first migration would create it.

from django.db import migrations

from vecidx.django import VectorExtension


class Migration(migrations.Migration):

    initial = True
    dependencies = []
    operations = [VectorExtension()]
