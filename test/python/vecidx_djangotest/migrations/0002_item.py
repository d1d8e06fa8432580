# Item with a vector(3) and a bit(4) column and an hnsw index, written as
# makemigrations writes it (test_client_django.py checks that
# makemigrations finds nothing left to do).

from django.db import migrations, models

import vecidx.django


class Migration(migrations.Migration):

    dependencies = [('vecidx_djangotest', '0001_vecidx')]
    operations = [
        migrations.CreateModel(
            name='Item',
            fields=[
                ('id', models.AutoField(auto_created=True, primary_key=True,
                                        serialize=False, verbose_name='ID')),
                ('embedding', vecidx.django.VectorField(blank=True, dimensions=3,
                                                        null=True)),
                ('bits', vecidx.django.BitField(blank=True, length=4, null=True)),
            ],
        ),
        migrations.CreateModel(
            name='HalfItem',
            fields=[
                ('id', models.AutoField(auto_created=True, primary_key=True,
                                        serialize=False, verbose_name='ID')),
                ('embedding', vecidx.django.HalfVectorField(dimensions=3,
                                                            null=True)),
            ],
            options={'managed': False},
        ),
        migrations.CreateModel(
            name='SparseItem',
            fields=[
                ('id', models.AutoField(auto_created=True, primary_key=True,
                                        serialize=False, verbose_name='ID')),
                ('embedding', vecidx.django.SparseVectorField(dimensions=5,
                                                              null=True)),
            ],
            options={'managed': False},
        ),
        migrations.AddIndex(
            model_name='item',
            index=vecidx.django.HnswIndex(ef_construction=64, fields=['embedding'],
                                          m=16, name='djt_item_l2_idx',
                                          opclasses=['vector_l2_ops']),
        ),
    ]
