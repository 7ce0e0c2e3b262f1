"""Shapes every API shares: the one error body."""

from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The one error body of the API."""

    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Messages by field; nested fields are named like "items[3].subjects[0].upn".',
    )
