"""
vecidx_djangotest.models -- models for test_client_django.py.

Item and its HnswIndex are created by the migrations; HalfItem and
SparseItem need the server's halfvec and sparsevec types and are created by
the tests with the schema editor only when those types exist.
"""

from django.db import models

from vecidx.django import (BitField, HalfVectorField, HnswIndex,
                           SparseVectorField, VectorField)


class Item(models.Model):
    embedding = VectorField(dimensions=3, null=True, blank=True)
    bits = BitField(length=4, null=True, blank=True)

    class Meta:
        app_label = 'vecidx_djangotest'
        indexes = [
            HnswIndex(name='djt_item_l2_idx', fields=['embedding'], m=16,
                      ef_construction=64, opclasses=['vector_l2_ops']),
        ]


class HalfItem(models.Model):
    embedding = HalfVectorField(dimensions=3, null=True)

    class Meta:
        app_label = 'vecidx_djangotest'
        managed = False


class SparseItem(models.Model):
    embedding = SparseVectorField(dimensions=5, null=True)

    class Meta:
        app_label = 'vecidx_djangotest'
        managed = False
