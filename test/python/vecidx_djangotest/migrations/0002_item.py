# Item with a vector(3) and a bit(4) column and an hnsw index, the models
# makemigrations would write (test_client_django.py checks that
# makemigrations finds nothing left to do).

from django.db import migrations, models

import vecidx.django


def _model(name, embedding, *fields, **kwargs):
    """CreateModel of name with makemigrations' id field, embedding and fields."""
    return migrations.CreateModel(
        name=name,
        fields=[('id', models.AutoField(auto_created=True, primary_key=True,
                                        serialize=False, verbose_name='ID')),
                ('embedding', embedding)] + list(fields),
        **kwargs)


class Migration(migrations.Migration):

    dependencies = [('vecidx_djangotest', '0001_vecidx')]
    operations = [
        _model('Item', vecidx.django.VectorField(blank=True, dimensions=3, null=True),
               ('bits', vecidx.django.BitField(blank=True, length=4, null=True))),
        _model('HalfItem', vecidx.django.HalfVectorField(dimensions=3, null=True),
               options={'managed': False}),
        _model('SparseItem', vecidx.django.SparseVectorField(dimensions=5, null=True),
               options={'managed': False}),
        migrations.AddIndex(
            model_name='item',
            index=vecidx.django.HnswIndex(ef_construction=64, fields=['embedding'],
                                          m=16, name='djt_item_l2_idx',
                                          opclasses=['vector_l2_ops']),
        ),
    ]
