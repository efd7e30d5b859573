"""mou-review: review school-resource-officer MOUs against a checklist, with grounded evidence."""

__version__ = "0.1.0"
