"""Views of the controls app, one module per object type (see controls/urls.py)."""
